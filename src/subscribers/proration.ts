/**
 * What a plan change mid-period costs. Pure: the caller passes the time.
 *
 * The rule: the days left in the current period were paid at the old plan's price; they are
 * re-priced at the new plan's. The subscriber pays the difference at once for an upgrade, or gets
 * it on their balance for a downgrade; the due date does not move. Each side is priced per
 * millisecond of its own period (a month is its calendar length, `periodLengthMs`), so a move
 * between a monthly and a weekly plan is priced the same way. Amounts are rounded to whole
 * shillings. On or after the due date nothing is left of the period, so nothing is settled: the
 * next payment is simply at the new price.
 *
 * An upgrade is paid from the balance first; what the balance cannot cover is owed (`owed_kes`)
 * and is part of the amount due. A downgrade's credit first clears anything owed, then goes to the
 * balance.
 */
import { DAY_MS } from '../lib/eat-time.ts';
import { formatKes } from '../lib/money.ts';
import { addPeriods, type BillingPeriod, periodLengthMs } from './periods.ts';

export interface PricedPlan {
  name: string;
  period: BillingPeriod;
  priceKes: number;
}

export interface PlanChangeQuote {
  daysLeft: number;
  periodDays: number;
  /** What the days left are worth at the old plan (credited) and at the new one (charged). */
  creditKes: number;
  chargeKes: number;
  /** charge − credit: positive means the subscriber pays, negative means they get money back. */
  differenceKes: number;
  balanceAfterKes: number;
  owedAfterKes: number;
  /** The rule applied to this subscriber, in one sentence, shown to staff before they confirm. */
  text: string;
}

const periodBefore = (due: Date, period: BillingPeriod) => addPeriods(due, period, -1);

export function quotePlanChange(q: {
  now: Date;
  dueAt: Date;
  from: PricedPlan;
  to: PricedPlan;
  balanceKes: number;
  owedKes: number;
}): PlanChangeQuote {
  const remainingMs = Math.max(0, q.dueAt.getTime() - q.now.getTime());
  const fromLen = periodLengthMs(periodBefore(q.dueAt, q.from.period), q.from.period);
  const toLen =
    q.to.period === q.from.period ? fromLen : periodLengthMs(periodBefore(q.dueAt, q.to.period), q.to.period);
  // Never more than one period's worth: a due date far ahead (set by hand) is not a refund.
  const creditKes = Math.round((q.from.priceKes * Math.min(remainingMs, fromLen)) / fromLen);
  const chargeKes = Math.round((q.to.priceKes * Math.min(remainingMs, toLen)) / toLen);
  const differenceKes = chargeKes - creditKes;
  let balance = q.balanceKes;
  let owed = q.owedKes;
  let settled = '';
  if (differenceKes > 0) {
    const fromBalance = Math.min(balance, differenceKes);
    balance -= fromBalance;
    owed += differenceKes - fromBalance;
    settled =
      fromBalance === 0
        ? `${formatKes(differenceKes)} due now`
        : fromBalance === differenceKes
          ? `${formatKes(differenceKes)}, taken from the balance`
          : `${formatKes(differenceKes)}: ${formatKes(fromBalance)} from the balance, ${formatKes(differenceKes - fromBalance)} due now`;
  } else if (differenceKes < 0) {
    const credit = -differenceKes;
    const clears = Math.min(owed, credit);
    owed -= clears;
    balance += credit - clears;
    settled = `${formatKes(credit)} credited to the balance`;
  }
  const daysLeft = Math.round(remainingMs / DAY_MS);
  const periodDays = Math.round(fromLen / DAY_MS);
  const move = `Moving from ${q.from.name} to ${q.to.name}`;
  const per = q.to.period === 'week' ? 'a week' : 'a month';
  const text =
    remainingMs === 0
      ? `${move} at the due date: nothing to settle now; the next payment is ${formatKes(q.to.priceKes)} ${per}.`
      : differenceKes === 0
        ? `${move} with ${daysLeft} of ${periodDays} days left: nothing to settle.`
        : `${move} with ${daysLeft} of ${periodDays} days left: ${settled}.`;
  return {
    daysLeft,
    periodDays,
    creditKes,
    chargeKes,
    differenceKes,
    balanceAfterKes: balance,
    owedAfterKes: owed,
    text,
  };
}
