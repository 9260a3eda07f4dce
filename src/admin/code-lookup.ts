/**
 * Finding an access code from what a customer reads out. Codes are stored only as a keyed hash,
 * so search hashes the typed code the same way the access feature does.
 */
import type { Deps } from '../app/deps.ts';
import { hashCode, looksLikeCode, normalizeCode } from '../access/index.ts';

export function codeHashFor(deps: Deps, typed: string): string | null {
  const n = normalizeCode(typed);
  return looksLikeCode(n) ? hashCode(deps.sealer, n) : null;
}
