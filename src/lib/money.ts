/** Money is whole Kenyan shillings, always an integer (DESIGN.md invariant 1). */
export type Kes = number;

export function assertKes(value: unknown, what = 'amount'): Kes {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new TypeError(`${what} must be a whole number of shillings, got ${String(value)}`);
  }
  return value;
}

export function formatKes(amount: Kes): string {
  return `KES ${assertKes(amount).toLocaleString('en-KE')}`;
}
