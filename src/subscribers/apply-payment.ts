/**
 * Crediting a subscription payment to its subscriber's ledger. Called by the payments feature's
 * credit path (src/payments/credit.ts) on the transaction that has just claimed the purchase, so
 * the ledger row, the new due date, the router sync job and the receipt SMS commit with the
 * purchase becoming paid, or not at all. The claim makes this run once per purchase; the UNIQUE
 * `subscriber_payments.purchase_id` is the second lock on the same door.
 *
 * The money plus the balance buys whole periods at the plan's price (splitPayment); what is left
 * stays as balance. Where the periods count from:
 * - due date still ahead, or passed but within the grace days: from the due date. The subscriber
 *   was online during grace, so those days are paid for, and the billing day stays the same.
 * - past due + grace (the subscriber was in the expired pool): from the moment of payment. The
 *   days spent in the expired pool were not service, and real ISPs restart the month on the day
 *   the customer pays again; the billing day becomes that day.
 * A payment that buys no whole period changes neither the due date nor the state: it waits as
 * balance for the next payment. A payment that starts a new period (the due date had passed)
 * resets the period's usage and the fair-use switch; one that extends a future due date does not,
 * since the current period goes on.
 */
import { sql } from 'drizzle-orm';
import type { Deps } from '../app/deps.ts';
import { loadBranding } from '../branding/index.ts';
import { asDate, query, type Tx } from '../db/open.ts';
import { enqueue } from '../jobs/enqueue.ts';
import { DAY_MS } from '../lib/eat-time.ts';
import { queueSms, renderSms } from '../notify/index.ts';
import { formatDueDate } from './due-format.ts';
import { addPeriods, type BillingPeriod, splitPayment } from './periods.ts';
import { SYNC_JOB } from './job-kinds.ts';

export interface SubscriptionPayment {
  purchaseId: string;
  subscriberId: number;
  amountKes: number;
  receipt: string | null;
  /** The language of the pay page the subscriber used, when it was one (C2B: not known). */
  lang: 'en' | 'sw' | null;
}

export interface AppliedPayment {
  subscriberPaymentId: number;
  periods: number;
  balanceKes: number;
  dueBefore: Date;
  dueAfter: Date;
  state: string;
}

interface Row {
  account_no: string;
  phone: string | null;
  state: string;
  due_at: unknown;
  balance_kes: number;
  owed_kes: number;
  lang: 'en' | 'sw' | null;
  price_kes: number;
  period: BillingPeriod;
  grace_days: number;
}

export async function applySubscriptionPayment(
  tx: Tx,
  deps: Deps,
  pay: SubscriptionPayment,
): Promise<AppliedPayment> {
  const now = deps.clock.now();
  const [s] = await query<Row>(
    tx,
    sql`SELECT s.account_no, s.phone, s.state, s.due_at, s.balance_kes, s.owed_kes, s.lang,
               sp.price_kes, sp.period, sp.grace_days
          FROM subscribers s JOIN service_plans sp ON sp.id = s.service_plan_id
         WHERE s.id = ${pay.subscriberId}
           FOR UPDATE OF s`,
  );
  // The purchase names a subscriber by foreign key, so this is a broken database, not bad input:
  // throwing rolls the claim back and the payment stays creditable.
  if (!s) throw new Error(`subscriber ${pay.subscriberId} of purchase ${pay.purchaseId} not found`);

  const dueBefore = asDate(s.due_at);
  // What a plan upgrade left owing is paid first; the rest buys whole periods.
  const owedBefore = Number(s.owed_kes);
  const toOwed = Math.min(owedBefore, pay.amountKes);
  const split = splitPayment(pay.amountKes - toOwed, s.balance_kes, s.price_kes);
  const pastGrace = now.getTime() >= dueBefore.getTime() + s.grace_days * DAY_MS;
  const from = pastGrace ? now : dueBefore;
  const dueAfter = split.periods > 0 ? addPeriods(from, s.period, split.periods) : dueBefore;
  const newPeriod = split.periods > 0 && dueBefore.getTime() <= now.getTime();
  // Only an expired subscriber comes back by paying; suspended and disconnected ones are staff's
  // decision (their money is still kept and their due date still moves).
  const state =
    s.state === 'expired' && split.periods > 0 && dueAfter.getTime() + s.grace_days * DAY_MS > now.getTime()
      ? 'active'
      : s.state;
  const lang = pay.lang ?? s.lang;

  await tx.execute(
    sql`UPDATE subscribers SET due_at = ${dueAfter}, balance_kes = ${split.balance}, state = ${state},
               owed_kes = ${owedBefore - toOwed},
               lang = ${lang},
               period_bytes = CASE WHEN ${newPeriod} THEN 0 ELSE period_bytes END,
               throttled = CASE WHEN ${newPeriod} THEN false ELSE throttled END,
               updated_at = ${now}
         WHERE id = ${pay.subscriberId}`,
  );
  const [ledger] = await query<{ id: number }>(
    tx,
    sql`INSERT INTO subscriber_payments (subscriber_id, purchase_id, amount_kes, periods, balance_after_kes,
                                         due_before, due_after, created_at)
        VALUES (${pay.subscriberId}, ${pay.purchaseId}, ${pay.amountKes}, ${split.periods}, ${split.balance},
                ${dueBefore}, ${dueAfter}, ${now})
        RETURNING id`,
  );
  // The router follows the row: a new due date moves Session-Timeout, a state change the pool.
  if (split.periods > 0 || state !== s.state || newPeriod) {
    await enqueue(tx, deps.clock, SYNC_JOB, { subscriberId: pay.subscriberId });
  }
  if (s.phone) {
    const body = renderSms('subscription_receipt', lang ?? 'en', {
      business: (await loadBranding(tx)).name,
      amountKes: pay.amountKes,
      receipt: pay.receipt,
      account: s.account_no,
      due: formatDueDate(dueAfter, lang ?? 'en'),
      balanceKes: split.balance,
    });
    await queueSms(tx, deps, {
      to: s.phone,
      body,
      template: 'subscription_receipt',
      purchaseId: pay.purchaseId,
    });
  }
  deps.log.info(
    { subscriber: pay.subscriberId, purchase: pay.purchaseId, periods: split.periods, state },
    'subscription payment credited',
  );
  return {
    subscriberPaymentId: Number(ledger!.id),
    periods: split.periods,
    balanceKes: split.balance,
    dueBefore,
    dueAfter,
    state,
  };
}
