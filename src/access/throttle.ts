/**
 * Fair use: a code whose plan has a fair-use rate is slowed down, not cut off, when its usage
 * crosses the data cap. The crossing is seen by whichever usage report carries it (RADIUS
 * accounting, a router's session poll); this marks it once and queues the router change.
 */
import { sql } from 'drizzle-orm';
import type { Deps } from '../app/deps.ts';
import { SYSTEM, audit } from '../audit/index.ts';
import { type Conn, query } from '../db/open.ts';
import { THROTTLE_JOB } from '../gateways/index.ts';

/**
 * Mark the code throttled and queue `gateway.throttle`, in the caller's transaction (the one that
 * records the usage). Only the call that sets `throttled_at` does anything: a resent, duplicated
 * or late report finds it set (the row lock orders concurrent ones), so there is one audit row
 * and one router change per code.
 */
export async function throttleCode(tx: Conn, deps: Deps, accessCodeId: string, now: Date): Promise<boolean> {
  const [row] = await query<{ used_bytes: number; data_cap_bytes: number }>(
    tx,
    sql`UPDATE access_codes SET throttled_at = ${now}, updated_at = ${now}
        WHERE id = ${accessCodeId} AND throttled_at IS NULL AND status = 'active'
        RETURNING used_bytes, data_cap_bytes`,
  );
  if (!row) return false;
  await audit(tx, deps, {
    actor: SYSTEM,
    action: 'access.throttle',
    entity: 'access_code',
    entityId: accessCodeId,
    detail: { usedBytes: Number(row.used_bytes), dataCapBytes: Number(row.data_cap_bytes) },
  });
  await deps.enqueue(tx, THROTTLE_JOB, { accessCodeId }, { key: `throttle:${accessCodeId}` });
  deps.log.info({ accessCodeId }, 'data cap reached: slowed to the fair-use rate');
  return true;
}
