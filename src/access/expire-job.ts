/**
 * Ending access on time. Two paths, both idempotent:
 *  - `access.expire` runs at a code's own deadline (scheduled when the clock starts or is extended),
 *    so access ends within a worker poll of the deadline;
 *  - `access.expire-sweep` runs every 30 s as a safety net for anything the first path missed
 *    (a worker that was down, a code whose deadline was moved by hand).
 * Both expire every code that is due in batches (expireDue): one statement expires up to 500
 * codes, marks their own pending `access.expire` jobs done, and the same transaction queues one
 * `gateway.revoke-batch` per router they are on. Codes that end together (a promotion sold at
 * one time, a power cut's worth of vouchers) so cost a few statements per 500, not per code.
 */
import { sql } from 'drizzle-orm';
import type { Deps } from '../app/deps.ts';
import { asDate, query } from '../db/open.ts';
import { EXPIRE_BATCH, expireCode, expireDue } from './expire.ts';
import { pruneRateLimits } from './rate-limit.ts';

export const SWEEP_EVERY_MS = 30_000;

/**
 * `access.expire` of one code: expire everything due now, in batches; then this code on its own if
 * no batch took it (it was locked, e.g. by a login in flight: this waits for the lock, so its
 * access still ends on time rather than at the next sweep).
 */
export async function expireOnTime(deps: Deps, accessCodeId: string): Promise<number> {
  const { ids, total } = await expireAllDue(deps);
  if (!ids.has(accessCodeId) && (await expireIfDue(deps, accessCodeId))) return total + 1;
  return total;
}

/**
 * One expirer at a time (a transaction-scoped advisory lock). Codes ending together have one
 * `access.expire` job each, and a worker runs several at once: without the lock each would take
 * part of the due codes (SKIP LOCKED) and queue its own batch per router, so a router got as many
 * batches as jobs happened to overlap. With it the first takes them all and the others, once it
 * commits, find nothing left to do.
 */
const EXPIRY_LOCK = 0x77617678; // "wavx"

/** Batches of expireDue, each its own transaction, until fewer than a batch are due. */
async function expireAllDue(deps: Deps): Promise<{ ids: Set<string>; total: number }> {
  const ids = new Set<string>();
  let total = 0;
  for (;;) {
    const batch = await deps.db.transaction(async (tx) => {
      await tx.execute(sql`SELECT pg_advisory_xact_lock(${EXPIRY_LOCK})`);
      return expireDue(tx, deps, deps.clock.now(), EXPIRE_BATCH);
    });
    total += batch.length;
    for (const id of batch) ids.add(id);
    if (batch.length < EXPIRE_BATCH) break;
  }
  return { ids, total };
}

/**
 * Expire one code if its deadline has passed; a code extended since is left alone. Code by code,
 * with a `gateway.revoke` of its own (expireCode): the path before batches, kept for a code no
 * batch took, and measured against them in bench/expiry-scale.ts.
 */
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
  // SKIP LOCKED (expireDue): a code being logged in or extended right now is taken by the next sweep.
  const { total } = await expireAllDue(deps);
  await pruneRateLimits(deps.db, new Date(deps.clock.now().getTime() - 24 * 3600_000));
  return total;
}
