/**
 * Wrong codes typed on a hotspot login page reach us as Access-Requests. Each device (router +
 * MAC) gets a few wrong tries per window, counted in the shared `rate_limits` table so every
 * RADIUS node sees the same count. Only failures write; a good login costs one indexed read.
 */
import { sql } from 'drizzle-orm';
import type { Deps } from '../app/deps.ts';
import { query } from '../db/open.ts';

export const FAILURE_LIMIT = 10;
export const FAILURE_WINDOW_SECONDS = 600;
export const TOO_MANY_TRIES = 'Too many wrong codes from this device. Wait 10 minutes and try again.';

const key = (routerId: number, mac: string) => `radius-code:${routerId}:${mac}`;

export async function isThrottled(deps: Deps, routerId: number, mac: string): Promise<boolean> {
  const cutoff = new Date(deps.clock.now().getTime() - FAILURE_WINDOW_SECONDS * 1000);
  const [r] = await query<{ count: number }>(
    deps.db,
    sql`SELECT count FROM rate_limits WHERE key = ${key(routerId, mac)} AND window_start > ${cutoff}`,
  );
  return (r?.count ?? 0) >= FAILURE_LIMIT;
}

export async function countFailure(deps: Deps, routerId: number, mac: string): Promise<void> {
  const now = deps.clock.now();
  const cutoff = new Date(now.getTime() - FAILURE_WINDOW_SECONDS * 1000);
  await deps.db.execute(
    sql`INSERT INTO rate_limits (key, window_start, count) VALUES (${key(routerId, mac)}, ${now}, 1)
        ON CONFLICT (key) DO UPDATE SET
          count = CASE WHEN rate_limits.window_start <= ${cutoff} THEN 1 ELSE rate_limits.count + 1 END,
          window_start = CASE WHEN rate_limits.window_start <= ${cutoff} THEN ${now} ELSE rate_limits.window_start END`,
  );
}
