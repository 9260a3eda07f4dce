/**
 * How generated voucher codes look, as Mikhmon offers it: a fixed prefix, a length and a
 * character set. Pure (no Node imports) so the admin form computes the same strength as the
 * server, from this one file.
 *
 * Every set leaves out characters that read alike within it: `mixed` is the alphabet of codes
 * Wavu makes itself (no 0/O, 1/I/L, 5/S, 2/Z, 8/B); `letters` drops I, L and O (typed codes map
 * them to 1 and 0); `digits` keeps all ten, since with no letters nothing can be mistaken.
 */
export const CHARSETS = {
  mixed: 'ACDEFGHJKMNPQRTUVWXY34679',
  letters: 'ABCDEFGHJKMNPQRSTUVWXYZ',
  digits: '0123456789',
} as const;
export type Charset = keyof typeof CHARSETS;

export const MIN_CODE_LENGTH = 6;
export const MAX_CODE_LENGTH = 20;
export const MAX_PREFIX = 6;
/** Below this a batch is easy to guess at scale; the form and the server both warn. */
export const MIN_ENTROPY_BITS = 40;

/** Bits of guessing work per code: the random part only (a printed prefix is known to everyone). */
export function entropyBits(length: number, charset: Charset): number {
  return Math.floor(length * Math.log2(CHARSETS[charset].length) * 10) / 10;
}

export function strengthWarning(length: number, charset: Charset): string | null {
  const bits = entropyBits(length, charset);
  return bits < MIN_ENTROPY_BITS
    ? `Weak codes: ${bits} bits, below ${MIN_ENTROPY_BITS}. Make them longer or use mixed characters.`
    : null;
}
