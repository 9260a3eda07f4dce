import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Deps } from '../app/deps.ts';
import { asDate, type Conn, query } from '../db/open.ts';
import type { JobSpec } from '../jobs/enqueue.ts';
import { REVOKE_BATCH_JOB, REVOKE_JOB } from '../gateways/index.ts';
import { EXPIRE_JOB } from './job-kinds.ts';

/**
 * Mark a live code expired and take it off every router. Safe to call any number of times: only
 * the call that actually changes the status enqueues the revoke.
 */
export async function expireCode(tx: Conn, deps: Deps, accessCodeId: string, now: Date): Promise<boolean> {
  const rows = await query(
    tx,
    sql`UPDATE access_codes SET status = 'expired', expired_at = ${now}, updated_at = ${now}
        WHERE id = ${accessCodeId} AND status IN ('issued', 'active')
        RETURNING id`,
  );
  if (!rows.length) return false;
  await deps.enqueue(tx, REVOKE_JOB, { accessCodeId }, { key: `revoke:${accessCodeId}:expired` });
  return true;
}

/** Codes per expiry batch, and so at most per `gateway.revoke-batch` job. */
export const EXPIRE_BATCH = 500;

/**
 * Expire up to `limit` live codes whose deadline has passed, in one statement, and queue one
 * `gateway.revoke-batch` per router they are on (grants not yet revoked, or live sessions), in the
 * caller's transaction. Per code the rule is expireCode's: only a code still active and past its
 * deadline changes (one extended meanwhile is not picked; one being extended right now is locked
 * and skipped, and the next run sees its new deadline). Their own `access.expire` jobs, still
 * queued, are done: 50,000 codes ending in one minute cost a few hundred statements, not 50,000
 * job runs. Returns the codes expired.
 */
export async function expireDue(tx: Conn, deps: Deps, now: Date, limit = EXPIRE_BATCH): Promise<string[]> {
  const rows = await query<{ id: string; expires_at: unknown; routers: string | null }>(
    tx,
    sql`WITH due AS (
          SELECT id FROM access_codes WHERE status = 'active' AND expires_at <= ${now}
          ORDER BY expires_at LIMIT ${limit} FOR UPDATE SKIP LOCKED)
        UPDATE access_codes c SET status = 'expired', expired_at = ${now}, updated_at = ${now}
        FROM due WHERE c.id = due.id
        RETURNING c.id, c.expires_at,
          (SELECT string_agg(DISTINCT r.router_id::text, ',') FROM (
             SELECT g.router_id FROM access_grants g WHERE g.access_code_id = c.id AND g.status <> 'revoked'
             UNION SELECT s.router_id FROM sessions s
             WHERE s.access_code_id = c.id AND s.status = 'active' AND s.router_id IS NOT NULL) r) AS routers`,
  );
  if (!rows.length) return [];
  const keys = rows.map((r) => `expire:${r.id}:${asDate(r.expires_at).getTime()}`);
  await tx.execute(
    sql`UPDATE jobs SET status = 'done', finished_at = ${now}, updated_at = ${now}
        WHERE status = 'queued'
          AND idempotency_key IN (SELECT jsonb_array_elements_text(${JSON.stringify(keys)}::jsonb))`,
  );
  const byRouter = new Map<number, string[]>();
  for (const r of rows) {
    for (const id of r.routers ? r.routers.split(',') : []) {
      const list = byRouter.get(Number(id)) ?? [];
      list.push(r.id);
      byRouter.set(Number(id), list);
    }
  }
  for (const [routerId, ids] of byRouter) {
    ids.sort();
    const digest = createHash('sha256').update(ids.join(',')).digest('hex').slice(0, 32);
    await deps.enqueue(
      tx,
      REVOKE_BATCH_JOB,
      { routerId, accessCodeIds: ids },
      { key: `revoke-batch:${routerId}:expired:${digest}` },
    );
  }
  return rows.map((r) => r.id);
}

/** Schedule the expiry of a wall-clock code at its deadline (key per deadline: extensions reschedule). */
export async function scheduleExpiry(
  tx: Conn,
  deps: Deps,
  accessCodeId: string,
  expiresAt: Date,
): Promise<void> {
  const e = expiryJob(accessCodeId, expiresAt);
  await deps.enqueue(tx, e.job, e.payload, e.opts);
}

export const expiryJob = (accessCodeId: string, expiresAt: Date): JobSpec<{ accessCodeId: string }> => ({
  job: EXPIRE_JOB,
  payload: { accessCodeId },
  opts: { runAt: expiresAt, key: `expire:${accessCodeId}:${expiresAt.getTime()}` },
});
