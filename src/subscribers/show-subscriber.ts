import { sql } from 'drizzle-orm';
import type { Deps } from '../app/deps.ts';
import { asDate, query } from '../db/open.ts';
import { findSubscriberRow, routerNames, type SubscriberView, toSubscriberView } from './repo.ts';

export interface SubscriberPayment {
  id: number;
  amountKes: number;
  periods: number;
  balanceAfterKes: number;
  dueBefore: Date;
  dueAfter: Date;
  createdAt: Date;
}

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

export interface SubscriberDetail {
  subscriber: SubscriberView;
  /** The latest 50, newest first. */
  payments: SubscriberPayment[];
  /** The latest 20, newest first; those without `stoppedAt` are online now. */
  sessions: PppSession[];
}

const dateOrNull = (v: unknown) => (v == null ? null : asDate(v));

/** One subscriber with their payments and PPP sessions, by id, account number or username. */
export async function showSubscriber(deps: Deps, ref: number | string): Promise<SubscriberDetail> {
  const row = await findSubscriberRow(deps.db, ref);
  const id = Number(row.id);
  const [payments, sessions] = [
    await query<Record<string, unknown>>(
      deps.db,
      sql`SELECT * FROM subscriber_payments WHERE subscriber_id = ${id} ORDER BY created_at DESC, id DESC LIMIT 50`,
    ),
    await query<Record<string, unknown>>(
      deps.db,
      sql`SELECT * FROM ppp_sessions WHERE subscriber_id = ${id} ORDER BY started_at DESC, id DESC LIMIT 20`,
    ),
  ];
  return {
    subscriber: toSubscriberView(row, deps.clock.now(), await routerNames(deps)),
    payments: payments.map((p) => ({
      id: Number(p.id),
      amountKes: Number(p.amount_kes),
      periods: Number(p.periods),
      balanceAfterKes: Number(p.balance_after_kes),
      dueBefore: asDate(p.due_before),
      dueAfter: asDate(p.due_after),
      createdAt: asDate(p.created_at),
    })),
    sessions: sessions.map((s) => ({
      id: Number(s.id),
      routerId: s.router_id == null ? null : Number(s.router_id),
      framedIp: (s.framed_ip as string | null) ?? null,
      callerId: (s.caller_id as string | null) ?? null,
      bytesIn: Number(s.bytes_in),
      bytesOut: Number(s.bytes_out),
      startedAt: asDate(s.started_at),
      stoppedAt: dateOrNull(s.stopped_at),
      stopCause: (s.stop_cause as string | null) ?? null,
    })),
  };
}
