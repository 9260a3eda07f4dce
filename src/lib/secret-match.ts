import { createHash, timingSafeEqual } from 'node:crypto';

/** Constant-time comparison of a presented path secret with ours (hashing equalises lengths). */
export function secretMatches(presented: string, expected: string): boolean {
  const a = createHash('sha256').update(presented).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b) && presented.length === expected.length;
}
