/** Agent tokens: shown once, stored as a SHA-256 hash (a leaked database row cannot poll as the router). */
import { createHash } from 'node:crypto';
import { randomToken } from '../../lib/random.ts';

/** 32 base64url characters: nothing to escape in a RouterOS string or an HTTP header. */
export const newAgentToken = () => randomToken(24);
export const hashAgentToken = (token: string) => createHash('sha256').update(token, 'utf8').digest('hex');

/** `Bearer <token>` → the token, or null. */
export function bearer(header: string | undefined): string | null {
  const m = /^Bearer ([A-Za-z0-9_-]{16,128})$/.exec(header?.trim() ?? '');
  return m ? m[1]! : null;
}
