import { sql } from 'drizzle-orm';
import type { Deps, UsageInput } from '../app/deps.ts';

/** One code's usage since its last report; declared with Deps.chargeUsage, which is this rule. */
export type { UsageInput };
import { type Conn, query } from '../db/open.ts';
import { expireCode } from './expire.ts';
import { parseFairUseRate } from '../plans/index.ts';
import { throttleCode } from './throttle.ts';

export interface UsageResult {
  usedUp: boolean;
  /** Over the cap of a fair-use plan: slowed down, still online. */
  throttled: boolean;
  secondsLeft: number | null;
  bytesLeft: number | null;
}

/**
 * Add time and data used. Uptime-clock codes count down here, and any code with a data cap is
 * expired (and taken off the routers) the moment it is used up, unless its plan has a fair-use
 * rate: then it is slowed down instead (throttle.ts), once. Pass the transaction that records
 * the accounting packet, so a resent packet cannot count twice.
 */
export async function recordUsage(tx: Conn, deps: Deps, u: UsageInput): Promise<UsageResult> {
  const r = await recordUsageMany(tx, deps, [u]);
  return r.get(u.accessCodeId) ?? { usedUp: false, throttled: false, secondsLeft: null, bytesLeft: null };
}

/**
 * Apply what the usage already counted on a code means, under its row lock: expired if used up,
 * throttled once over a fair-use cap (the rule above, adding nothing). For a report recorded by a
 * statement of its own (RADIUS accounting, src/db/functions/radius_accounting.sql) that said the
 * code needs it. Safe to repeat: a code already expired or throttled is left as it is.
 */
export function settleUsage(tx: Conn, deps: Deps, accessCodeId: string): Promise<UsageResult> {
  return recordUsage(tx, deps, { accessCodeId, seconds: 0, bytes: 0 });
}

/**
 * `recordUsage` for many codes in one statement (a router poll reports hundreds of sessions).
 * Deltas of the same code are added together first: an UPDATE … FROM joins each row once.
 */
export async function recordUsageMany(
  tx: Conn,
  deps: Deps,
  list: UsageInput[],
): Promise<Map<string, UsageResult>> {
  const merged = new Map<string, { seconds: number; bytes: number }>();
  for (const u of list) {
    const m = merged.get(u.accessCodeId) ?? { seconds: 0, bytes: 0 };
    m.seconds += Math.max(0, Math.floor(u.seconds));
    m.bytes += Math.max(0, Math.floor(u.bytes));
    merged.set(u.accessCodeId, m);
  }
  const out = new Map<string, UsageResult>();
  if (!merged.size) return out;
  const now = deps.clock.now();
  const values = sql.join(
    [...merged]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([id, m]) => sql`(${id}::uuid, ${m.seconds}::bigint, ${m.bytes}::bigint)`),
    sql`, `,
  );
  const rows = await query<{
    id: string;
    clock: 'wall' | 'uptime';
    status: string;
    used_seconds: number;
    duration_seconds: number;
    used_bytes: number;
    data_cap_bytes: number | null;
    fair_use_rate: string | null;
  }>(
    tx,
    sql`UPDATE access_codes c SET used_seconds = c.used_seconds + v.seconds, used_bytes = c.used_bytes + v.bytes,
               updated_at = ${now}
        FROM (VALUES ${values}) AS v(id, seconds, bytes), plans p
        WHERE c.id = v.id AND p.id = c.plan_id
        RETURNING c.id, c.clock, c.status, c.used_seconds, c.duration_seconds, c.used_bytes, c.data_cap_bytes,
                  p.fair_use_rate`,
  );
  for (const row of rows) {
    const secondsLeft =
      row.clock === 'uptime' ? Number(row.duration_seconds) - Number(row.used_seconds) : null;
    const bytesLeft =
      row.data_cap_bytes === null ? null : Number(row.data_cap_bytes) - Number(row.used_bytes);
    const overCap = bytesLeft !== null && bytesLeft <= 0;
    const fairUse = row.fair_use_rate !== null && parseFairUseRate(row.fair_use_rate) !== null;
    const usedUp = (secondsLeft !== null && secondsLeft <= 0) || (overCap && !fairUse);
    const throttled = !usedUp && overCap && fairUse;
    if (usedUp && row.status === 'active') await expireCode(tx, deps, row.id, now);
    else if (throttled) await throttleCode(tx, deps, row.id, now);
    out.set(row.id, { usedUp, throttled, secondsLeft, bytesLeft });
  }
  return out;
}
