/**
 * Subscribers as rows, for tests of paying and reminders: the subscribers feature's own use cases
 * (create, edit) are not needed to pay, so the rows are written straight in SQL.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { newRef } from '../../src/payments/ref.ts';
import type { Conn } from '../../src/db/open.ts';
import { asDate, query } from '../../src/db/open.ts';

export interface SubscriberRowInput {
  accountNo: string;
  dueAt: Date;
  /** A service plan by name (the seeded ones: 'Home 5 Mbps' KES 1500/month, 'Weekly 5 Mbps' KES 450/week). */
  plan?: string;
  phone?: string | null;
  name?: string | null;
  state?: 'active' | 'expired' | 'suspended' | 'disconnected';
  balanceKes?: number;
  autoRenew?: boolean;
  periodBytes?: number;
  throttled?: boolean;
}

export async function insertSubscriber(conn: Conn, s: SubscriberRowInput): Promise<number> {
  const [r] = await query<{ id: number }>(
    conn,
    sql`INSERT INTO subscribers (account_no, name, phone, username, password_sealed, service_plan_id, state, due_at,
                                 balance_kes, auto_renew, period_bytes, throttled)
        SELECT ${s.accountNo}, ${s.name ?? 'Wanjiku Kamau'}, ${s.phone === undefined ? null : s.phone},
               ${`u${s.accountNo.toLowerCase()}`}, 'sealed-for-tests', sp.id, ${s.state ?? 'active'}, ${s.dueAt},
               ${s.balanceKes ?? 0}, ${s.autoRenew ?? false}, ${s.periodBytes ?? 0}, ${s.throttled ?? false}
          FROM service_plans sp WHERE sp.name = ${s.plan ?? 'Home 5 Mbps'}
        RETURNING id`,
  );
  if (!r) throw new Error(`no service plan ${s.plan}`);
  return Number(r.id);
}

export interface SubscriberRow {
  state: string;
  dueAt: Date;
  balanceKes: number;
  periodBytes: number;
  throttled: boolean;
  lang: string | null;
}

export async function subscriberRow(conn: Conn, id: number): Promise<SubscriberRow> {
  const [r] = await query<Record<string, any>>(
    conn,
    sql`SELECT state, due_at, balance_kes, period_bytes, throttled, lang FROM subscribers WHERE id = ${id}`,
  );
  return {
    state: r!.state,
    dueAt: asDate(r!.due_at),
    balanceKes: Number(r!.balance_kes),
    periodBytes: Number(r!.period_bytes),
    throttled: r!.throttled,
    lang: r!.lang,
  };
}

export async function ledgerOf(conn: Conn, id: number) {
  return (
    await query<Record<string, any>>(
      conn,
      sql`SELECT amount_kes, periods, balance_after_kes, purchase_id FROM subscriber_payments
           WHERE subscriber_id = ${id} ORDER BY id`,
    )
  ).map((r) => ({
    amountKes: Number(r.amount_kes),
    periods: Number(r.periods),
    balanceAfterKes: Number(r.balance_after_kes),
    purchaseId: r.purchase_id as string,
  }));
}

/** subscriber.sync jobs queued for this subscriber. */
export async function syncJobsFor(conn: Conn, id: number): Promise<number> {
  const [r] = await query<{ n: number }>(
    conn,
    sql`SELECT count(*)::int AS n FROM jobs WHERE kind = 'subscriber.sync' AND (payload->>'subscriberId')::int = ${id}`,
  );
  return Number(r!.n);
}

/** The texts queued to a phone, oldest first. */
export async function smsTo(conn: Conn, phone: string) {
  return (
    await query<{ body: string; template: string | null }>(
      conn,
      sql`SELECT body, template FROM sms_messages WHERE to_phone = ${phone} ORDER BY created_at, id`,
    )
  ).map((r) => ({ body: r.body, template: r.template }));
}

/** A pending STK subscription purchase (as the pay page leaves it once M-Pesa took the push). */
export async function insertPendingSubscriptionStk(
  conn: Conn,
  o: { subscriberId: number; phone: string; amountKes: number; at: Date; lang?: 'en' | 'sw' },
): Promise<{ id: string; checkout: string; ref: string }> {
  const id = randomUUID();
  const checkout = `ws_CO_${id.replace(/-/g, '')}`;
  const ref = newRef();
  await conn.execute(
    sql`INSERT INTO purchases (id, ref, subscriber_id, phone, amount_kes, channel, purpose, status, checkout_request_id,
                               merchant_request_id, lang, created_at, updated_at)
        VALUES (${id}, ${ref}, ${o.subscriberId}, ${o.phone}, ${o.amountKes}, 'stk', 'subscription', 'pending',
                ${checkout}, 'm-1', ${o.lang ?? null}, ${o.at}, ${o.at})`,
  );
  return { id, checkout, ref };
}
