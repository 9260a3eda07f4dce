/**
 * What a subscriber owes now, for the pay page, the reminders and auto-renew: the plan's price for
 * every period that has started since the due date (at least one, so a subscriber who is paid up
 * can pay ahead), minus the balance they already have. Paying exactly that buys whole periods and
 * leaves no balance (the balance is always less than one period, see splitPayment).
 */
import { sql } from 'drizzle-orm';
import { asDate, type Conn, query } from '../db/open.ts';
import { DAY_MS } from '../lib/eat-time.ts';
import { addPeriods, type BillingPeriod } from './periods.ts';

export interface SubscriberForPaying {
  id: number;
  accountNo: string;
  name: string | null;
  phone: string | null;
  state: string;
  dueAt: Date;
  balanceKes: number;
  /** Left to pay from a plan upgrade (change-plan.ts); settled before any period is bought. */
  owedKes: number;
  autoRenew: boolean;
  lang: 'en' | 'sw' | null;
  plan: { name: string; priceKes: number; period: BillingPeriod; graceDays: number };
}

interface Row {
  id: number;
  account_no: string;
  name: string | null;
  phone: string | null;
  state: string;
  due_at: unknown;
  balance_kes: number;
  owed_kes: number;
  auto_renew: boolean;
  lang: 'en' | 'sw' | null;
  plan_name: string;
  price_kes: number;
  period: BillingPeriod;
  grace_days: number;
}

/** Account numbers are typed on a phone: trimmed, any case, spaces and dashes ignored. */
export const normalizeAccountNo = (s: string): string => s.trim().toUpperCase().replace(/[\s-]/g, '');

const fromRow = (r: Row): SubscriberForPaying => ({
  id: r.id,
  accountNo: r.account_no,
  name: r.name,
  phone: r.phone,
  state: r.state,
  dueAt: asDate(r.due_at),
  balanceKes: r.balance_kes,
  owedKes: Number(r.owed_kes),
  autoRenew: r.auto_renew,
  lang: r.lang,
  plan: { name: r.plan_name, priceKes: r.price_kes, period: r.period, graceDays: r.grace_days },
});

const SELECT = sql`SELECT s.id, s.account_no, s.name, s.phone, s.state, s.due_at, s.balance_kes, s.owed_kes, s.auto_renew, s.lang,
                          sp.name AS plan_name, sp.price_kes, sp.period, sp.grace_days
                     FROM subscribers s JOIN service_plans sp ON sp.id = s.service_plan_id`;

/**
 * The subscriber who pays against this account number, or null. A closed account
 * (`disconnected`) takes no payments: nothing would be bought.
 *
 * `lock` takes the subscriber's row lock now, for a transaction that goes on to insert a purchase
 * naming them and credit it: the insert's foreign-key check would otherwise take a share lock
 * that the credit then has to upgrade, and two such transactions deadlock on PostgreSQL.
 */
export async function subscriberByAccount(
  conn: Conn,
  account: string,
  o: { lock?: boolean } = {},
): Promise<SubscriberForPaying | null> {
  const a = normalizeAccountNo(account);
  if (!/^[A-Z0-9]{3,20}$/.test(a)) return null;
  const [r] = await query<Row>(
    conn,
    sql`${SELECT} WHERE s.account_no = ${a} AND s.state <> 'disconnected'${o.lock ? sql` FOR UPDATE OF s` : sql``}`,
  );
  return r ? fromRow(r) : null;
}

export async function subscriberForPaying(conn: Conn, id: number): Promise<SubscriberForPaying | null> {
  const [r] = await query<Row>(conn, sql`${SELECT} WHERE s.id = ${id}`);
  return r ? fromRow(r) : null;
}

type Dues = Pick<SubscriberForPaying, 'dueAt' | 'balanceKes' | 'owedKes'> & {
  plan: Pick<SubscriberForPaying['plan'], 'priceKes' | 'period' | 'graceDays'>;
};

/** Whole periods started at `now` and not paid for: none while the due date is ahead. */
export function periodsStarted(s: Dues, now: Date): number {
  if (s.dueAt.getTime() > now.getTime()) return 0;
  // Past grace the periods restart at payment (apply-payment.ts), so one period is what is due.
  if (now.getTime() >= s.dueAt.getTime() + s.plan.graceDays * DAY_MS) return 1;
  let n = 1;
  while (n < 120 && addPeriods(s.dueAt, s.plan.period, n).getTime() <= now.getTime()) n++;
  return n;
}

/** What settles the account now (0 when paid up): anything owed, plus the periods started, less the balance. */
export const amountOwed = (s: Dues, now: Date): number =>
  Math.max(0, s.owedKes + s.plan.priceKes * periodsStarted(s, now) - s.balanceKes);

/** What the pay page, reminders and auto-renew ask for: what is owed, and at least the next period. */
export const amountDue = (s: Dues, now: Date): number =>
  // A balance of a period or more would already have been spent; never ask for nothing.
  Math.max(1, s.owedKes + s.plan.priceKes * Math.max(1, periodsStarted(s, now)) - s.balanceKes);
