/**
 * Whether a RADIUS router's CoA port answers. A router behind NAT never does; after
 * `maxFailures` requests in a row go unanswered it is marked unreachable, kicks stop being
 * retried, and its sessions end by the Session-Timeout they were given. One answer clears it.
 * The counters live on the router row, so this feature (the owner of `routers`) writes them.
 */
import { sql } from 'drizzle-orm';
import { type Conn, query } from '../../db/open.ts';

/** Whether the router is marked unreachable on its CoA port now. */
export async function coaMarkedUnreachable(conn: Conn, routerId: number): Promise<boolean> {
  const [r] = await query<{ coa_unreachable_since: unknown }>(
    conn,
    sql`SELECT coa_unreachable_since FROM routers WHERE id = ${routerId}`,
  );
  return r?.coa_unreachable_since != null;
}

/** The CoA port answered: the count starts again (a write only when there was something to clear). */
export async function coaAnswered(conn: Conn, routerId: number): Promise<void> {
  await conn.execute(
    sql`UPDATE routers SET coa_failures = 0, coa_unreachable_since = NULL
        WHERE id = ${routerId} AND (coa_failures <> 0 OR coa_unreachable_since IS NOT NULL)`,
  );
}

/** `n` requests went unanswered; true when the router is (now) marked unreachable. */
export async function coaUnanswered(
  conn: Conn,
  routerId: number,
  n: number,
  maxFailures: number,
  now: Date,
): Promise<boolean> {
  const [r] = await query<{ coa_unreachable_since: unknown }>(
    conn,
    sql`UPDATE routers SET coa_failures = coa_failures + ${n},
               coa_unreachable_since = CASE WHEN coa_failures + ${n} >= ${maxFailures}
                                            THEN COALESCE(coa_unreachable_since, ${now}) END
        WHERE id = ${routerId} RETURNING coa_unreachable_since`,
  );
  return r?.coa_unreachable_since != null;
}
