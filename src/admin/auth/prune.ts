/** Hourly: forget ended admin sessions, sign-in counters whose window has passed and spent locks. */
import { sql } from 'drizzle-orm';
import type { Deps } from '../../app/deps.ts';
import { query } from '../../db/open.ts';
import { IP_WINDOW_MS } from './login.ts';
import { pruneLocks } from './login-locks.ts';
import { SESSION_IDLE_MS } from './sessions.ts';

export async function pruneAdminState(
  deps: Deps,
): Promise<{ sessions: number; counters: number; locks: number }> {
  const now = deps.clock.now();
  const idle = new Date(now.getTime() - SESSION_IDLE_MS);
  const window = new Date(now.getTime() - IP_WINDOW_MS);
  const s = await query(
    deps.db,
    sql`DELETE FROM admin_sessions WHERE expires_at <= ${now} OR last_seen_at <= ${idle} RETURNING 1`,
  );
  const c = await query(
    deps.db,
    sql`DELETE FROM rate_limits WHERE key LIKE 'admin-login:%' AND window_start <= ${window} RETURNING 1`,
  );
  return { sessions: s.length, counters: c.length, locks: await pruneLocks(deps.db, now) };
}
