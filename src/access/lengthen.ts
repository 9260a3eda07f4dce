/**
 * Add time (and data) to a live code: the one rule behind buying the same plan again and staff
 * giving minutes back. Called inside the caller's transaction, with the code's row locked.
 */
import { sql } from 'drizzle-orm';
import type { Deps } from '../app/deps.ts';
import { type Conn, asDate } from '../db/open.ts';
import { REFRESH_JOB } from '../gateways/index.ts';
import { scheduleExpiry } from './expire.ts';

export interface LiveCode {
  id: string;
  status: 'issued' | 'active';
  clock: 'wall' | 'uptime';
  expires_at: unknown;
}

export async function lengthenCode(
  tx: Conn,
  deps: Deps,
  live: LiveCode,
  o: { seconds: number; bytes: number; reason: string },
): Promise<{ expiresAt: Date | null }> {
  const now = deps.clock.now();
  // A wall clock that has started moves its deadline; an uptime clock (or one not started) just
  // has more seconds to use.
  const newExpiry =
    live.status === 'active' && live.clock === 'wall' && live.expires_at
      ? new Date(asDate(live.expires_at).getTime() + o.seconds * 1000)
      : null;
  await tx.execute(
    sql`UPDATE access_codes
        SET duration_seconds = duration_seconds + ${o.seconds},
            data_cap_bytes = CASE WHEN data_cap_bytes IS NULL THEN NULL ELSE data_cap_bytes + ${o.bytes} END,
            expires_at = COALESCE(${newExpiry}, expires_at),
            -- More data: a code slowed at its fair-use cap is back under it, and a later crossing
            -- slows it again (the refresh below gives live sessions the plan's speed back).
            throttled_at = CASE WHEN ${o.bytes}::bigint > 0 THEN NULL ELSE throttled_at END,
            updated_at = ${now}
        WHERE id = ${live.id}`,
  );
  if (newExpiry) await scheduleExpiry(tx, deps, live.id, newExpiry);
  // Devices online right now keep the old Session-Timeout unless told (radius: CoA, in a job).
  if (live.status === 'active')
    await deps.enqueue(tx, REFRESH_JOB, { accessCodeId: live.id }, { key: `refresh:${live.id}:${o.reason}` });
  return { expiresAt: newExpiry ?? (live.expires_at ? asDate(live.expires_at) : null) };
}
