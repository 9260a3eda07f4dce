/**
 * Fixed-window counters in the `rate_limits` table, shared by every node. One atomic upsert per
 * hit: concurrent requests each get their own count, so a burst cannot slip past the limit.
 * (A fixed window lets through at most 2× the limit around a window edge; the guessing
 * arithmetic in docs/access-codes.md allows for that.)
 */
import { sql } from 'drizzle-orm';
import type { Deps } from '../app/deps.ts';
import { asDate, type Conn, query } from '../db/open.ts';

export interface RateLimitResult {
  allowed: boolean;
  /** Hits in the current window, this one included. */
  count: number;
  /** Seconds until the window resets (for Retry-After). */
  retryAfterSeconds: number;
}

/** Count one hit on `key` and say whether it is within `limit` hits per `windowMs`. */
export async function checkRateLimit(
  conn: Conn,
  deps: Pick<Deps, 'clock'>,
  key: string,
  limit: number,
  windowMs: number,
): Promise<RateLimitResult> {
  const now = deps.clock.now();
  const staleBefore = new Date(now.getTime() - windowMs);
  const [row] = await query<{ window_start: unknown; count: number }>(
    conn,
    sql`INSERT INTO rate_limits AS r (key, window_start, count) VALUES (${key}, ${now}, 1)
        ON CONFLICT (key) DO UPDATE SET
          window_start = CASE WHEN r.window_start <= ${staleBefore} THEN ${now} ELSE r.window_start END,
          count = CASE WHEN r.window_start <= ${staleBefore} THEN 1 ELSE r.count + 1 END
        RETURNING window_start, count`,
  );
  const start = asDate(row!.window_start).getTime();
  const count = Number(row!.count);
  return {
    allowed: count <= limit,
    count,
    retryAfterSeconds: Math.max(1, Math.ceil((start + windowMs - now.getTime()) / 1000)),
  };
}

/** Old windows are dead weight; the sweep removes them. */
export async function pruneRateLimits(conn: Conn, olderThan: Date): Promise<void> {
  await conn.execute(sql`DELETE FROM rate_limits WHERE window_start < ${olderThan}`);
}
