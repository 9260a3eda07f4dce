/**
 * A Daraja amount ("1", 1, "1.00": it sends numbers or strings) to whole KES; anything with cents
 * is rejected, since Wavu deals in whole shillings only.
 */
export function parseDarajaAmount(value: unknown): number | null {
  const n = typeof value === 'string' ? Number(value.trim()) : value;
  if (typeof n !== 'number' || !Number.isFinite(n) || n < 0 || !Number.isInteger(n)) return null;
  return n;
}
