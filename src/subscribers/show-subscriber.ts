import { sql } from 'drizzle-orm';
import type { Deps } from '../app/deps.ts';
import { query } from '../db/open.ts';
import {
  findSubscriberRow,
  ledgerRowOf,
  type PppSession,
  pppSessionOf,
  routerNames,
  type SubscriberPayment,
  type SubscriberView,
  toSubscriberView,
} from './repo.ts';

export type { PppSession, SubscriberPayment };

export interface SubscriberDetail {
  subscriber: SubscriberView;
  /** The latest 50, newest first. */
  payments: SubscriberPayment[];
  /** The latest 20, newest first; those without `stoppedAt` are online now. */
  sessions: PppSession[];
}

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
    payments: payments.map(ledgerRowOf),
    sessions: sessions.map(pppSessionOf),
  };
}
