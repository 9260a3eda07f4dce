import { sql } from 'drizzle-orm';
import type { Deps } from '../app/deps.ts';
import { type Conn, query } from '../db/open.ts';
import { expireCode } from './expire.ts';

export interface UsageInput {
  accessCodeId: string;
  /** Seconds online since the last report (a delta, not a running total). */
  seconds: number;
  /** Bytes up + down since the last report (a delta). */
  bytes: number;
}

/**
 * Add time and data used. Uptime-clock codes count down here, and any code with a data cap is
 * expired (and taken off the routers) the moment it is used up. Pass the transaction that records
 * the accounting packet, so a resent packet cannot count twice.
 */
export async function recordUsage(
  tx: Conn,
  deps: Deps,
  u: UsageInput,
): Promise<{ usedUp: boolean; secondsLeft: number | null; bytesLeft: number | null }> {
  const seconds = Math.max(0, Math.floor(u.seconds));
  const bytes = Math.max(0, Math.floor(u.bytes));
  const now = deps.clock.now();
  const [row] = await query<{
    clock: 'wall' | 'uptime';
    status: string;
    used_seconds: number;
    duration_seconds: number;
    used_bytes: number;
    data_cap_bytes: number | null;
  }>(
    tx,
    sql`UPDATE access_codes SET used_seconds = used_seconds + ${seconds}, used_bytes = used_bytes + ${bytes},
               updated_at = ${now}
        WHERE id = ${u.accessCodeId}
        RETURNING clock, status, used_seconds, duration_seconds, used_bytes, data_cap_bytes`,
  );
  if (!row) return { usedUp: false, secondsLeft: null, bytesLeft: null };
  const secondsLeft = row.clock === 'uptime' ? row.duration_seconds - row.used_seconds : null;
  const bytesLeft = row.data_cap_bytes === null ? null : row.data_cap_bytes - row.used_bytes;
  const usedUp = (secondsLeft !== null && secondsLeft <= 0) || (bytesLeft !== null && bytesLeft <= 0);
  if (usedUp && row.status === 'active') await expireCode(tx, deps, u.accessCodeId, now);
  return { usedUp, secondsLeft, bytesLeft };
}
