/**
 * At due + grace an active subscriber is moved to `expired` (the expired pool), each in one
 * transaction with its audit row and the `subscriber.sync` that moves the live session. Rows are
 * claimed with SKIP LOCKED, so two workers never expire the same subscriber twice, and a payment
 * holding the row (I's apply-payment) wins: its subscriber is looked at again next round.
 */
import { sql } from 'drizzle-orm';
import type { Deps } from '../app/deps.ts';
import { SYSTEM, audit } from '../audit/index.ts';
import { query } from '../db/open.ts';
import { SYNC_JOB } from './job-kinds.ts';

export const ENFORCE_EVERY_MS = 60_000;
const BATCH = 200;

/** Returns how many subscribers were moved to expired. */
export async function enforceDueDates(deps: Deps): Promise<number> {
  let total = 0;
  for (;;) {
    const now = deps.clock.now();
    const moved = await deps.db.transaction(async (tx) => {
      const rows = await query<{ id: number; due_at: unknown }>(
        tx,
        sql`UPDATE subscribers s SET state = 'expired', updated_at = ${now}
            WHERE s.id IN (
              SELECT s2.id FROM subscribers s2 JOIN service_plans p ON p.id = s2.service_plan_id
              WHERE s2.state = 'active'
                AND s2.due_at + make_interval(days => p.grace_days) <= ${now}::timestamptz
              ORDER BY s2.id LIMIT ${BATCH}
              FOR UPDATE OF s2 SKIP LOCKED)
            RETURNING s.id, s.due_at`,
      );
      for (const r of rows) {
        await audit(tx, deps, {
          actor: SYSTEM,
          action: 'subscriber.expire',
          entity: 'subscriber',
          entityId: Number(r.id),
          detail: { dueAt: new Date(r.due_at as string).toISOString() },
        });
        await deps.enqueue(tx, SYNC_JOB, { subscriberId: Number(r.id) });
      }
      return rows.length;
    });
    total += moved;
    if (moved < BATCH) return total;
  }
}
