/**
 * Access codes: 10 characters from a 25-letter alphabet with no look-alikes (see lib/random.ts),
 * 25^10 ≈ 9.5·10^13 possibilities, drawn from the CSPRNG. The database keeps only a keyed hash
 * (lookup) and a sealed copy (reprint); a leaked table alone does not reveal a usable code.
 */
import type { Sealer } from '../lib/seal.ts';
import { CODE_ALPHABET, randomCode } from '../lib/random.ts';

export const CODE_LENGTH = 10;

export function generateAccessCode(): string {
  return randomCode(CODE_LENGTH);
}

/** What people type: any case, with spaces or dashes, and look-alikes mapped to the real letter. */
export function normalizeCode(input: string): string {
  return input.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
}

/** True when the string could be one of our codes (cheap pre-check before any DB work). */
export function looksLikeCode(normalized: string): boolean {
  if (normalized.length < 4 || normalized.length > 32) return false;
  return /^[A-Z0-9]+$/.test(normalized);
}

export function hashCode(sealer: Sealer, code: string): string {
  return sealer.hash(normalizeCode(code), 'access-code');
}

/**
 * A code for staff who may not read it (src/admin/policy.ts): only the last three characters, enough
 * to tell rows apart and to match a ticket the customer reads out, too few to log in with.
 */
export function maskCode(code: string): string {
  return `${'•'.repeat(Math.max(3, code.length - 3))}${code.slice(-3)}`;
}

/** ABCDE-FGHJK: easier to read aloud and copy; normalizeCode() undoes it. */
export function formatCode(code: string): string {
  return code.length === CODE_LENGTH ? `${code.slice(0, 5)}-${code.slice(5)}` : code;
}

export { CODE_ALPHABET };
