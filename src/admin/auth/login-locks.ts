/**
 * Wrong-password locks per (username as typed, source address), in `admin_login_locks`.
 * LOCK_AFTER wrong passwords in a row from one address lock that address out of that username
 * for LOCK_MS. Nobody else is affected, so a stranger guessing cannot lock the owner out at the
 * owner's own address. Wrong passwords more than LOCK_MS apart do not add up, and a lock that has
 * run out starts the count again. Unknown usernames are counted the same way, so neither the lock
 * nor its message tells whether an account exists.
 */
import { sql } from 'drizzle-orm';
import { type Conn, asDate, query } from '../../db/open.ts';

export const LOCK_AFTER = 5;
export const LOCK_MS = 15 * 60_000;

const addr = (ip: string | null) => ip ?? 'unknown';

/** When the lock on this username from this address ends, or null when there is none. */
export async function lockedUntil(
  conn: Conn,
  o: { username: string; ip: string | null; now: Date },
): Promise<Date | null> {
  const rows = await query<{ locked_until: string }>(
    conn,
    sql`SELECT locked_until FROM admin_login_locks
        WHERE username = ${o.username} AND ip = ${addr(o.ip)} AND locked_until > ${o.now}`,
  );
  return rows[0] ? asDate(rows[0].locked_until) : null;
}

/**
 * Count one wrong password; true when it is the one that starts the lock. One statement, so
 * concurrent guesses from the address all count and exactly one of them starts the lock.
 */
export async function recordWrongPassword(
  conn: Conn,
  o: { username: string; ip: string | null; now: Date },
): Promise<boolean> {
  const stale = new Date(o.now.getTime() - LOCK_MS);
  const until = new Date(o.now.getTime() + LOCK_MS);
  const restart = sql`(l.updated_at <= ${stale} OR l.locked_until <= ${o.now})`;
  const rows = await query<{ failures: number }>(
    conn,
    sql`INSERT INTO admin_login_locks AS l (username, ip, failures, locked_until, updated_at)
        VALUES (${o.username}, ${addr(o.ip)}, 1, NULL, ${o.now})
        ON CONFLICT (username, ip) DO UPDATE SET
          failures = CASE WHEN ${restart} THEN 1 ELSE l.failures + 1 END,
          locked_until = CASE WHEN ${restart} THEN NULL
                              WHEN l.failures + 1 >= ${LOCK_AFTER} THEN COALESCE(l.locked_until, ${until}::timestamptz)
                              ELSE NULL END,
          updated_at = ${o.now}
        RETURNING failures`,
  );
  return Number(rows[0]?.failures) === LOCK_AFTER;
}

/** A right password from this address: its count starts again (other addresses keep theirs). */
export async function clearLock(conn: Conn, o: { username: string; ip: string | null }): Promise<void> {
  await query(conn, sql`DELETE FROM admin_login_locks WHERE username = ${o.username} AND ip = ${addr(o.ip)}`);
}

/** The owner's unlock: every address may try this username again at once. */
export async function unlockEverywhere(conn: Conn, username: string): Promise<number> {
  const rows = await query(conn, sql`DELETE FROM admin_login_locks WHERE username = ${username} RETURNING 1`);
  return rows.length;
}

/** Per username: wrong passwords that still count, and whether any address is locked out now. */
export async function lockStates(
  conn: Conn,
  now: Date,
): Promise<Map<string, { failures: number; locked: boolean }>> {
  const stale = new Date(now.getTime() - LOCK_MS);
  const rows = await query<{ username: string; failures: number; locked: boolean }>(
    conn,
    sql`SELECT username, sum(failures)::int AS failures, bool_or(locked_until > ${now}) AS locked
        FROM admin_login_locks WHERE updated_at > ${stale} OR locked_until > ${now}
        GROUP BY username`,
  );
  return new Map(rows.map((r) => [r.username, { failures: Number(r.failures), locked: !!r.locked }]));
}

/** Rows that no longer count for anything. */
export async function pruneLocks(conn: Conn, now: Date): Promise<number> {
  const stale = new Date(now.getTime() - LOCK_MS);
  const rows = await query(
    conn,
    sql`DELETE FROM admin_login_locks
        WHERE updated_at <= ${stale} AND (locked_until IS NULL OR locked_until <= ${now}) RETURNING 1`,
  );
  return rows.length;
}
