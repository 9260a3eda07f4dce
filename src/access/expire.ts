import { sql } from 'drizzle-orm';
import type { Deps } from '../app/deps.ts';
import { type Conn, query } from '../db/open.ts';

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
  await deps.enqueue(tx, {
    kind: 'gateway.revoke',
    payload: { accessCodeId },
    key: `revoke:${accessCodeId}:expired`,
  });
  return true;
}

/** Schedule the expiry of a wall-clock code at its deadline (key per deadline: extensions reschedule). */
export async function scheduleExpiry(
  tx: Conn,
  deps: Deps,
  accessCodeId: string,
  expiresAt: Date,
): Promise<void> {
  await deps.enqueue(tx, expiryJob(accessCodeId, expiresAt));
}

export const expiryJob = (accessCodeId: string, expiresAt: Date) => ({
  kind: 'access.expire',
  payload: { accessCodeId },
  runAt: expiresAt,
  key: `expire:${accessCodeId}:${expiresAt.getTime()}`,
});
