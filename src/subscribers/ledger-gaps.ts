/**
 * Where money and the subscriber ledger disagree, for the reconciliation report: a paid
 * subscription purchase that never reached subscriber_payments (the credit path writes both in one
 * transaction, so this means a bug or a hand edit), and a subscriber still `active` past due +
 * grace (the enforcement job did not run, or failed for that row).
 */
import { sql } from 'drizzle-orm';
import type { Deps } from '../app/deps.ts';
import { asDate, query, type Tx } from '../db/open.ts';
import { type AppliedPayment, applySubscriptionPayment } from './apply-payment.ts';

export interface UnledgeredPurchase {
  purchaseId: string;
  ref: string;
  subscriberId: number;
  accountNo: string;
  amountKes: number;
  receipt: string | null;
  paidAt: Date | null;
}

/** Paid subscription purchases with no ledger row; `from`/`to` bound paid_at when given. */
export async function unledgeredSubscriptionPurchases(
  deps: Deps,
  o: { from?: Date; to?: Date; subscriberId?: number } = {},
): Promise<UnledgeredPurchase[]> {
  const rows = await query<Record<string, unknown>>(
    deps.db,
    sql`SELECT p.id, p.ref, p.subscriber_id, s.account_no, COALESCE(p.paid_amount_kes, p.amount_kes) AS kes,
               p.mpesa_receipt, p.paid_at
          FROM purchases p JOIN subscribers s ON s.id = p.subscriber_id
         WHERE p.purpose = 'subscription' AND p.status = 'paid'
           AND NOT EXISTS (SELECT 1 FROM subscriber_payments sp WHERE sp.purchase_id = p.id)
           AND (${o.from ?? null}::timestamptz IS NULL OR p.paid_at >= ${o.from ?? null}::timestamptz)
           AND (${o.to ?? null}::timestamptz IS NULL OR p.paid_at < ${o.to ?? null}::timestamptz)
           AND (${o.subscriberId ?? null}::bigint IS NULL OR p.subscriber_id = ${o.subscriberId ?? null}::bigint)
         ORDER BY p.paid_at, p.id`,
  );
  return rows.map((r) => ({
    purchaseId: String(r.id),
    ref: String(r.ref),
    subscriberId: Number(r.subscriber_id),
    accountNo: String(r.account_no),
    amountKes: Number(r.kes),
    receipt: (r.mpesa_receipt as string | null) ?? null,
    paidAt: r.paid_at == null ? null : asDate(r.paid_at),
  }));
}

export interface OverdueActive {
  subscriberId: number;
  accountNo: string;
  dueAt: Date;
  graceEndsAt: Date;
}

/** Subscribers still `active` although due + grace has passed: the enforcement job missed them. */
export async function overdueActiveSubscribers(deps: Deps): Promise<OverdueActive[]> {
  const rows = await query<Record<string, unknown>>(
    deps.db,
    sql`SELECT s.id, s.account_no, s.due_at, s.due_at + make_interval(days => p.grace_days) AS grace_ends
          FROM subscribers s JOIN service_plans p ON p.id = s.service_plan_id
         WHERE s.state = 'active'
           AND s.due_at + make_interval(days => p.grace_days) <= ${deps.clock.now()}::timestamptz
         ORDER BY s.id`,
  );
  return rows.map((r) => ({
    subscriberId: Number(r.id),
    accountNo: String(r.account_no),
    dueAt: asDate(r.due_at),
    graceEndsAt: asDate(r.grace_ends),
  }));
}

/** Credits one paid subscription purchase that missed the ledger; a second call does nothing. */
export async function creditUnledgeredPurchase(
  tx: Tx,
  deps: Deps,
  purchaseId: string,
): Promise<AppliedPayment | null> {
  // The purchase row lock serialises two staff pressing the button at once; the recheck under it
  // (and the UNIQUE purchase_id behind it) makes the second press a no-op.
  const [p] = await query<Record<string, unknown>>(
    tx,
    sql`SELECT p.id, p.subscriber_id, COALESCE(p.paid_amount_kes, p.amount_kes) AS kes, p.mpesa_receipt, p.lang
          FROM purchases p
         WHERE p.id = ${purchaseId} AND p.purpose = 'subscription' AND p.status = 'paid'
           FOR UPDATE`,
  );
  if (!p) return null;
  const [done] = await query(tx, sql`SELECT 1 FROM subscriber_payments WHERE purchase_id = ${purchaseId}`);
  if (done) return null;
  return applySubscriptionPayment(tx, deps, {
    purchaseId,
    subscriberId: Number(p.subscriber_id),
    amountKes: Number(p.kes),
    receipt: (p.mpesa_receipt as string | null) ?? null,
    lang: (p.lang as 'en' | 'sw' | null) ?? null,
  });
}
