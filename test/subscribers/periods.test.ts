import { describe, expect, it } from 'vitest';
import { addPeriods, periodLengthMs, splitPayment } from '../../src/subscribers/periods.ts';

// Instants written as Kenyan wall-clock times, so each case reads as the operator sees it.
const eat = (s: string) => new Date(`${s}+03:00`);

describe('billing periods in East Africa Time', () => {
  it('keeps the due day across months, clamping to short months and returning to the anchor', () => {
    const jan31 = eat('2027-01-31T00:00:00');
    expect(addPeriods(jan31, 'month', 1)).toEqual(eat('2027-02-28T00:00:00'));
    expect(addPeriods(jan31, 'month', 2)).toEqual(eat('2027-03-31T00:00:00'));
    // From the clamped date, the anchor day brings it back to the 31st.
    expect(addPeriods(eat('2027-02-28T00:00:00'), 'month', 1, 31)).toEqual(eat('2027-03-31T00:00:00'));
    expect(addPeriods(eat('2028-01-30T00:00:00'), 'month', 1)).toEqual(eat('2028-02-29T00:00:00'));
  });

  it('crosses the year and goes backwards', () => {
    expect(addPeriods(eat('2026-12-15T10:30:00'), 'month', 1)).toEqual(eat('2027-01-15T10:30:00'));
    expect(addPeriods(eat('2027-01-15T10:30:00'), 'month', -1)).toEqual(eat('2026-12-15T10:30:00'));
    expect(addPeriods(eat('2026-11-30T00:00:00'), 'month', 3)).toEqual(eat('2027-02-28T00:00:00'));
  });

  it('uses the Kenyan day, not the UTC one, near midnight', () => {
    // 00:30 on 1 March in Nairobi is still 28 February in UTC; the due day is the 1st.
    const m1 = eat('2027-03-01T00:30:00');
    expect(addPeriods(m1, 'month', 1)).toEqual(eat('2027-04-01T00:30:00'));
  });

  it('a week is seven days, and a period length follows the month', () => {
    expect(addPeriods(eat('2027-02-25T08:00:00'), 'week', 1)).toEqual(eat('2027-03-04T08:00:00'));
    expect(periodLengthMs(eat('2027-02-01T00:00:00'), 'month')).toBe(28 * 86_400_000);
    expect(periodLengthMs(eat('2027-03-01T00:00:00'), 'month')).toBe(31 * 86_400_000);
  });

  it('splits a payment into whole periods and a balance', () => {
    expect(splitPayment(1500, 0, 1500)).toEqual({ periods: 1, balance: 0 });
    expect(splitPayment(1000, 0, 1500)).toEqual({ periods: 0, balance: 1000 });
    expect(splitPayment(1000, 1000, 1500)).toEqual({ periods: 1, balance: 500 });
    expect(splitPayment(4000, 0, 1500)).toEqual({ periods: 2, balance: 1000 });
    expect(() => addPeriods(new Date(), 'month', 1.5)).toThrow(RangeError);
  });
});
