/**
 * Fixed-window counters in `rate_limits`, shared by every node (login attempts per IP). One
 * atomic upsert per hit: the window restarts when it has passed, otherwise the count goes up.
 */
import { sql } from 'drizzle-orm';
import { type Conn, asDate, query } from '../../db/open.ts';

export interface Hit {
  count: number;
  /** Seconds until the current window ends. */
  resetSeconds: number;
}

export async function hitRateLimit(conn: Conn, now: Date, key: string, windowMs: number): Promise<Hit> {
  const cutoff = new Date(now.getTime() - windowMs);
  const rows = await query<{ count: number; window_start: string }>(
    conn,
    sql`INSERT INTO rate_limits (key, window_start, count) VALUES (${key}, ${now}, 1)
        ON CONFLICT (key) DO UPDATE SET
          count = CASE WHEN rate_limits.window_start <= ${cutoff} THEN 1 ELSE rate_limits.count + 1 END,
          window_start = CASE WHEN rate_limits.window_start <= ${cutoff} THEN ${now} ELSE rate_limits.window_start END
        RETURNING count, window_start`,
  );
  const r = rows[0]!;
  const ends = asDate(r.window_start).getTime() + windowMs;
  return { count: Number(r.count), resetSeconds: Math.max(1, Math.ceil((ends - now.getTime()) / 1000)) };
}
