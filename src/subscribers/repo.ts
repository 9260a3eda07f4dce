/**
 * Reading subscribers and service plans: this feature owns both tables. Raw SQL, as the rows
 * join the plan; router names come from the gateways feature, which owns routers.
 */
import { type SQL, sql } from 'drizzle-orm';
import type { Deps } from '../app/deps.ts';
import { asDate, type Conn, query } from '../db/open.ts';
import { listRouters } from '../gateways/index.ts';
import { DAY_MS } from '../lib/eat-time.ts';
import { AppError } from '../lib/errors.ts';
import { amountOwed } from './amount-due.ts';
import type { BillingPeriod } from './periods.ts';
import type { SubscriberState } from './input.ts';

export interface ServicePlan {
  id: number;
  name: string;
  period: BillingPeriod;
  priceKes: number;
  rateUpKbps: number;
  rateDownKbps: number;
  dataCapBytes: number | null;
  fairUseUpKbps: number | null;
  fairUseDownKbps: number | null;
  graceDays: number;
  active: boolean;
  sortOrder: number;
  createdAt: Date;
  updatedAt: Date;
}

type PlanRow = Record<string, unknown>;

export const toServicePlan = (r: PlanRow): ServicePlan => ({
  id: Number(r.id),
  name: String(r.name),
  period: r.period as BillingPeriod,
  priceKes: Number(r.price_kes),
  rateUpKbps: Number(r.rate_up_kbps),
  rateDownKbps: Number(r.rate_down_kbps),
  dataCapBytes: r.data_cap_bytes == null ? null : Number(r.data_cap_bytes),
  fairUseUpKbps: r.fair_use_up_kbps == null ? null : Number(r.fair_use_up_kbps),
  fairUseDownKbps: r.fair_use_down_kbps == null ? null : Number(r.fair_use_down_kbps),
  graceDays: Number(r.grace_days),
  active: r.active === true || r.active === 't',
  sortOrder: Number(r.sort_order),
  createdAt: asDate(r.created_at),
  updatedAt: asDate(r.updated_at),
});

/** A plan by id or name (names first when the text is not all digits). */
export async function findServicePlan(conn: Conn, ref: number | string): Promise<ServicePlan | null> {
  const id = typeof ref === 'number' ? ref : /^\d{1,9}$/.test(ref) ? Number(ref) : -1;
  const name = typeof ref === 'string' ? ref : '';
  const rows = await query<PlanRow>(
    conn,
    sql`SELECT * FROM service_plans WHERE id = ${id} OR lower(name) = lower(${name})
        ORDER BY (id = ${id}) DESC LIMIT 1`,
  );
  return rows[0] ? toServicePlan(rows[0]) : null;
}

/** The plan a subscriber gets when none is named: the first active one by sort order. */
export async function defaultServicePlan(conn: Conn): Promise<ServicePlan | null> {
  const rows = await query<PlanRow>(
    conn,
    sql`SELECT * FROM service_plans WHERE active ORDER BY sort_order, id LIMIT 1`,
  );
  return rows[0] ? toServicePlan(rows[0]) : null;
}

export interface SubscriberView {
  id: number;
  accountNo: string;
  name: string | null;
  phone: string | null;
  username: string;
  servicePlanId: number;
  planName: string;
  period: BillingPeriod;
  priceKes: number;
  routerId: number | null;
  routerName: string | null;
  site: string | null;
  staticIp: string | null;
  state: SubscriberState;
  dueAt: Date;
  /** When the enforcement job moves an unpaid subscriber to the expired pool. */
  graceEndsAt: Date;
  balanceKes: number;
  owedKes: number;
  /**
   * What settles the account now (amountOwed): anything owed from an upgrade, plus the price of
   * each period started since the due date, less the balance in hand.
   */
  amountDueKes: number;
  autoRenew: boolean;
  periodBytes: number;
  throttled: boolean;
  lastSeenAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** The raw row of `subscribers` joined with its plan, as every read below selects it. */
export type SubscriberRow = Record<string, unknown>;

export const SUBSCRIBER_SELECT = sql`
  SELECT s.*, p.name AS plan_name, p.period, p.price_kes, p.grace_days
    FROM subscribers s JOIN service_plans p ON p.id = s.service_plan_id`;

export function toSubscriberView(
  r: SubscriberRow,
  now: Date,
  routerNames: Map<number, string>,
): SubscriberView {
  const dueAt = asDate(r.due_at);
  const price = Number(r.price_kes);
  const owed = Number(r.owed_kes);
  const balance = Number(r.balance_kes);
  const routerId = r.router_id == null ? null : Number(r.router_id);
  return {
    id: Number(r.id),
    accountNo: String(r.account_no),
    name: (r.name as string | null) ?? null,
    phone: (r.phone as string | null) ?? null,
    username: String(r.username),
    servicePlanId: Number(r.service_plan_id),
    planName: String(r.plan_name),
    period: r.period as BillingPeriod,
    priceKes: price,
    routerId,
    routerName: routerId == null ? null : (routerNames.get(routerId) ?? null),
    site: (r.site as string | null) ?? null,
    staticIp: (r.static_ip as string | null) ?? null,
    state: r.state as SubscriberState,
    dueAt,
    graceEndsAt: new Date(dueAt.getTime() + Number(r.grace_days) * DAY_MS),
    balanceKes: balance,
    owedKes: owed,
    amountDueKes: amountOwed(
      {
        dueAt,
        balanceKes: balance,
        owedKes: owed,
        plan: { priceKes: price, period: r.period as BillingPeriod, graceDays: Number(r.grace_days) },
      },
      now,
    ),
    autoRenew: r.auto_renew === true || r.auto_renew === 't',
    periodBytes: Number(r.period_bytes),
    throttled: r.throttled === true || r.throttled === 't',
    lastSeenAt: r.last_seen_at == null ? null : asDate(r.last_seen_at),
    createdAt: asDate(r.created_at),
    updatedAt: asDate(r.updated_at),
  };
}

export async function routerNames(deps: Deps): Promise<Map<number, string>> {
  return new Map((await listRouters(deps)).map((r) => [r.id, r.name]));
}

async function oneRow(conn: Conn, where: SQL, lock: boolean): Promise<SubscriberRow | null> {
  const rows = await query<SubscriberRow>(
    conn,
    lock
      ? sql`${SUBSCRIBER_SELECT} WHERE ${where} FOR UPDATE OF s`
      : sql`${SUBSCRIBER_SELECT} WHERE ${where}`,
  );
  return rows[0] ?? null;
}

/**
 * A subscriber by id, account number or username (what staff have in hand: the number the
 * customer pays against, or the PPPoE login). Account numbers are matched without regard to case.
 */
export async function findSubscriberRow(
  conn: Conn,
  ref: number | string,
  opts: { lock?: boolean } = {},
): Promise<SubscriberRow> {
  const lock = opts.lock ?? false;
  const r =
    typeof ref === 'number'
      ? await oneRow(conn, sql`s.id = ${ref}`, lock)
      : ((await oneRow(conn, sql`s.account_no = ${ref.trim().toUpperCase()}`, lock)) ??
        (await oneRow(conn, sql`s.username = ${ref.trim()}`, lock)));
  if (!r) throw new AppError('not_found', `No subscriber "${ref}" (give an account number or a username).`);
  return r;
}

/** One row of the subscriber's ledger (`subscriber_payments`): a payment and what it bought. */
export interface SubscriberPayment {
  id: number;
  amountKes: number;
  periods: number;
  balanceAfterKes: number;
  dueBefore: Date;
  dueAfter: Date;
  createdAt: Date;
}

/** The one mapping of a `subscriber_payments` row, for every reader (detail page, support tools). */
export const ledgerRowOf = (p: Record<string, unknown>): SubscriberPayment => ({
  id: Number(p.id),
  amountKes: Number(p.amount_kes),
  periods: Number(p.periods),
  balanceAfterKes: Number(p.balance_after_kes),
  dueBefore: asDate(p.due_before),
  dueAfter: asDate(p.due_after),
  createdAt: asDate(p.created_at),
});

export interface PppSession {
  id: number;
  routerId: number | null;
  framedIp: string | null;
  callerId: string | null;
  bytesIn: number;
  bytesOut: number;
  startedAt: Date;
  stoppedAt: Date | null;
  stopCause: string | null;
}

/** A `ppp_sessions` row as staff see it. */
export const pppSessionOf = (s: Record<string, unknown>): PppSession => ({
  id: Number(s.id),
  routerId: s.router_id == null ? null : Number(s.router_id),
  framedIp: (s.framed_ip as string | null) ?? null,
  callerId: (s.caller_id as string | null) ?? null,
  bytesIn: Number(s.bytes_in),
  bytesOut: Number(s.bytes_out),
  startedAt: asDate(s.started_at),
  stoppedAt: s.stopped_at == null ? null : asDate(s.stopped_at),
  stopCause: (s.stop_cause as string | null) ?? null,
});
