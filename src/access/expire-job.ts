/**
 * Ending access on time. Two paths, both idempotent:
 *  - `access.expire` runs at a code's own deadline (scheduled when the clock starts or is extended),
 *    so access ends within a worker poll of the deadline;
 *  - `access.expire-sweep` runs every 30 s as a safety net for anything the first path missed
 *    (a worker that was down, a code whose deadline was moved by hand).
 * Expiring enqueues `gateway.revoke` in the same transaction (expireCode).
 */
import { sql } from 'drizzle-orm';
import type { Deps } from '../app/deps.ts';
import { asDate, query } from '../db/open.ts';
import { expireCode } from './expire.ts';
import { pruneRateLimits } from './rate-limit.ts';

export const EXPIRE_JOB = 'access.expire';
export const EXPIRE_SWEEP_JOB = 'access.expire-sweep';
export const SWEEP_EVERY_MS = 30_000;
const SWEEP_BATCH = 500;

/** Expire one code if its deadline has passed; a code extended since is left alone. */
export async function expireIfDue(deps: Deps, accessCodeId: string): Promise<boolean> {
  return deps.db.transaction(async (tx) => {
    const now = deps.clock.now();
    const [row] = await query<{ status: string; expires_at: unknown }>(
      tx,
      sql`SELECT status, expires_at FROM access_codes WHERE id = ${accessCodeId} FOR UPDATE`,
    );
    if (row?.status !== 'active' || !row.expires_at) return false;
    if (asDate(row.expires_at).getTime() > now.getTime()) return false;
    return expireCode(tx, deps, accessCodeId, now);
  });
}

/** Expire every active code past its deadline, in batches; returns how many were expired. */
export async function sweepExpired(deps: Deps): Promise<number> {
  let total = 0;
  for (;;) {
    const n = await deps.db.transaction(async (tx) => {
      const now = deps.clock.now();
      // SKIP LOCKED: a code being logged in or extended right now is taken by the next sweep.
      const rows = await query<{ id: string }>(
        tx,
        sql`SELECT id FROM access_codes WHERE status = 'active' AND expires_at <= ${now}
            ORDER BY expires_at LIMIT ${SWEEP_BATCH} FOR UPDATE SKIP LOCKED`,
      );
      for (const r of rows) await expireCode(tx, deps, r.id, now);
      return rows.length;
    });
    total += n;
    if (n < SWEEP_BATCH) break;
  }
  await pruneRateLimits(deps.db, new Date(deps.clock.now().getTime() - 24 * 3600_000));
  return total;
}
