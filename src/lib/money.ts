/** Money is whole Kenyan shillings, always an integer (DESIGN.md invariant 1). */
export type Kes = number;

export function assertKes(value: unknown, what = 'amount'): Kes {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new TypeError(`${what} must be a whole number of shillings, got ${String(value)}`);
  }
  return value;
}

/** Parse a Daraja amount ("1", 1, "1.00") to whole KES; anything with cents is rejected. */
export function parseKes(value: unknown): Kes | null {
  const n = typeof value === 'string' ? Number(value.trim()) : value;
  if (typeof n !== 'number' || !Number.isFinite(n) || n < 0 || !Number.isInteger(n)) return null;
  return n;
}

export function formatKes(amount: Kes): string {
  return `KES ${assertKes(amount).toLocaleString('en-KE')}`;
}
