/**
 * What the operator tools (troubleshooter, reconciliation) need to know about one subscriber, read
 * here because these tables belong to this feature: the row as staff see it, what the router was
 * last told against what it should have, the latest ledger rows and the live PPP session.
 */
import { sql } from 'drizzle-orm';
import type { Deps } from '../app/deps.ts';
import { query } from '../db/open.ts';
import { normalizePhone } from '../lib/phone.ts';
import { rateLimit } from './ppp-rules.ts';
import {
  ledgerRowOf,
  type PppSession,
  pppSessionOf,
  SUBSCRIBER_SELECT,
  routerNames,
  type SubscriberPayment,
  type SubscriberRow,
  type SubscriberView,
  toSubscriberView,
} from './repo.ts';

export interface SubscriberSupportFacts {
  subscriber: SubscriberView;
  /** What the last `subscriber.sync` left on the router (null: never synced). */
  syncedState: string | null;
  syncedRate: string | null;
  /** The rate the router should apply now (plan rate, or fair-use once throttled). */
  expectedRate: string;
  dataCapBytes: number | null;
  /** The latest five, newest first. */
  payments: SubscriberPayment[];
  /** Online now (no stop yet), if any. */
  liveSession: PppSession | null;
}

async function rowWhere(deps: Deps, where: ReturnType<typeof sql>): Promise<SubscriberRow | null> {
  const rows = await query<SubscriberRow>(
    deps.db,
    sql`SELECT q.*, p2.rate_up_kbps, p2.rate_down_kbps, p2.fair_use_up_kbps, p2.fair_use_down_kbps,
               p2.data_cap_bytes
          FROM (${SUBSCRIBER_SELECT} WHERE ${where}) q JOIN service_plans p2 ON p2.id = q.service_plan_id
         ORDER BY q.id DESC LIMIT 1`,
  );
  return rows[0] ?? null;
}

/** By account number, PPPoE username or phone; null when nobody matches. */
export async function subscriberSupportFacts(deps: Deps, q: string): Promise<SubscriberSupportFacts | null> {
  const text = q.trim();
  if (!text) return null;
  const phone = normalizePhone(text);
  const row =
    (await rowWhere(deps, sql`s.account_no = ${text.toUpperCase()}`)) ??
    (await rowWhere(deps, sql`s.username = ${text}`)) ??
    (phone ? await rowWhere(deps, sql`s.phone = ${phone}`) : null);
  if (!row) return null;
  const id = Number(row.id);
  const payments = await query<Record<string, unknown>>(
    deps.db,
    sql`SELECT * FROM subscriber_payments WHERE subscriber_id = ${id} ORDER BY created_at DESC, id DESC LIMIT 5`,
  );
  const [live] = await query<Record<string, unknown>>(
    deps.db,
    sql`SELECT * FROM ppp_sessions WHERE subscriber_id = ${id} AND stopped_at IS NULL
         ORDER BY started_at DESC, id DESC LIMIT 1`,
  );
  const throttled = row.throttled === true || row.throttled === 't';
  return {
    subscriber: toSubscriberView(row, deps.clock.now(), await routerNames(deps)),
    syncedState: (row.synced_state as string | null) ?? null,
    syncedRate: (row.synced_rate as string | null) ?? null,
    expectedRate: rateLimit({
      throttled,
      rate_up_kbps: Number(row.rate_up_kbps),
      rate_down_kbps: Number(row.rate_down_kbps),
      fair_use_up_kbps: row.fair_use_up_kbps == null ? null : Number(row.fair_use_up_kbps),
      fair_use_down_kbps: row.fair_use_down_kbps == null ? null : Number(row.fair_use_down_kbps),
    }),
    dataCapBytes: row.data_cap_bytes == null ? null : Number(row.data_cap_bytes),
    payments: payments.map(ledgerRowOf),
    liveSession: live ? pppSessionOf(live) : null,
  };
}
