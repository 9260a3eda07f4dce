/**
 * Billing periods for subscribers, in the Kenyan calendar. Pure: no clock, no database.
 *
 * A month is a calendar month in East Africa Time, not 30 days: a subscriber due on the 5th stays
 * due on the 5th. A due day past the end of a shorter month is clamped to its last day (due 31
 * January → 28/29 February), and the anchor day is kept, so the next due date goes back to the
 * 31st where the month has one. A week is exactly 7 days (UTC+3 has no daylight saving).
 */
import { DAY_MS, eatWallClock, fromEatWallClock } from '../lib/eat-time.ts';

export type BillingPeriod = 'month' | 'week';

const daysInMonth = (y: number, month0: number): number => new Date(Date.UTC(y, month0 + 1, 0)).getUTCDate();

/**
 * `from` moved on by `n` whole periods (n may be negative). `anchorDay` is the day of the month
 * the subscription is billed on (1–31); it defaults to `from`'s own day in EAT.
 */
export function addPeriods(from: Date, period: BillingPeriod, n: number, anchorDay?: number): Date {
  if (!Number.isInteger(n)) throw new RangeError(`whole periods only, got ${n}`);
  if (period === 'week') return new Date(from.getTime() + n * 7 * DAY_MS);
  const w = eatWallClock(from);
  const day = anchorDay ?? w.getUTCDate();
  const months = w.getUTCFullYear() * 12 + w.getUTCMonth() + n;
  const y = Math.floor(months / 12);
  const m0 = months - y * 12;
  const d = Math.min(day, daysInMonth(y, m0));
  return fromEatWallClock(y, m0 + 1, d, w.getUTCHours(), w.getUTCMinutes(), w.getUTCSeconds());
}

/** The length in milliseconds of the period that starts at `from` (a month here is 28–31 days). */
export const periodLengthMs = (from: Date, period: BillingPeriod, anchorDay?: number): number =>
  addPeriods(from, period, 1, anchorDay).getTime() - from.getTime();

/**
 * How a payment splits: whole periods bought at `price`, and what is left over to keep as
 * balance. `balance` is what the subscriber already had.
 */
export function splitPayment(
  amount: number,
  balance: number,
  price: number,
): { periods: number; balance: number } {
  if (price <= 0) throw new RangeError('price must be positive');
  const total = amount + balance;
  const periods = Math.floor(total / price);
  return { periods, balance: total - periods * price };
}
