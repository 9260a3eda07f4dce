/**
 * Server-side admin sessions. The browser holds a random token in an HttpOnly cookie; the table
 * keeps only a keyed hash of it, so a copy of the database cannot be replayed as a login. Each
 * session has its own CSRF token, sent back by the SPA in `x-csrf-token` on every change.
 */
import { timingSafeEqual } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Deps } from '../../app/deps.ts';
import { type Conn, asDate, query } from '../../db/open.ts';
import type { AdminRole } from '../../db/schema.ts';
import { randomToken } from '../../lib/random.ts';

export const SESSION_IDLE_MS = 8 * 3600_000;
export const SESSION_MAX_MS = 7 * 24 * 3600_000;
/** last_seen_at is written at most this often, so reads do not turn into writes on every request. */
const TOUCH_EVERY_MS = 60_000;

export interface AdminPrincipal {
  sessionId: string;
  id: number;
  username: string;
  role: AdminRole;
  csrfToken: string;
}

export const sessionId = (deps: Deps, token: string) => deps.sealer.hash(token, 'admin-session');

export async function createSession(
  conn: Conn,
  deps: Deps,
  o: { userId: number; ip: string | null; userAgent: string | null },
): Promise<{ token: string; csrfToken: string; expiresAt: Date }> {
  const token = randomToken(32);
  const csrfToken = randomToken(24);
  const now = deps.clock.now();
  const expiresAt = new Date(now.getTime() + SESSION_MAX_MS);
  await query(
    conn,
    sql`INSERT INTO admin_sessions (id, user_id, csrf_token, ip, user_agent, created_at, last_seen_at, expires_at)
        VALUES (${sessionId(deps, token)}, ${o.userId}, ${csrfToken}, ${o.ip},
                ${o.userAgent?.slice(0, 300) ?? null}, ${now}, ${now}, ${expiresAt})`,
  );
  // Old sessions of this user are cleaned up here rather than by a job: cheap and bounded.
  await query(conn, sql`DELETE FROM admin_sessions WHERE user_id = ${o.userId} AND expires_at < ${now}`);
  return { token, csrfToken, expiresAt };
}

export async function findSession(deps: Deps, token: string): Promise<AdminPrincipal | null> {
  if (!token || token.length > 100) return null;
  const id = sessionId(deps, token);
  const now = deps.clock.now();
  const rows = await query<{
    user_id: number;
    username: string;
    role: AdminRole;
    csrf_token: string;
    last_seen_at: string;
    expires_at: string;
    disabled: boolean;
  }>(
    deps.db,
    sql`SELECT s.user_id, u.username, u.role, s.csrf_token, s.last_seen_at, s.expires_at, u.disabled
        FROM admin_sessions s JOIN admin_users u ON u.id = s.user_id WHERE s.id = ${id}`,
  );
  const r = rows[0];
  if (!r || r.disabled) return null;
  const lastSeen = asDate(r.last_seen_at).getTime();
  if (asDate(r.expires_at).getTime() <= now.getTime() || lastSeen + SESSION_IDLE_MS <= now.getTime()) {
    await query(deps.db, sql`DELETE FROM admin_sessions WHERE id = ${id}`);
    return null;
  }
  if (now.getTime() - lastSeen > TOUCH_EVERY_MS) {
    await query(deps.db, sql`UPDATE admin_sessions SET last_seen_at = ${now} WHERE id = ${id}`);
  }
  return { sessionId: id, id: r.user_id, username: r.username, role: r.role, csrfToken: r.csrf_token };
}

export async function deleteSession(conn: Conn, id: string): Promise<void> {
  await query(conn, sql`DELETE FROM admin_sessions WHERE id = ${id}`);
}

/** Sign out everywhere: after a password change, a role change or disabling an account. */
export async function deleteUserSessions(conn: Conn, userId: number, exceptId?: string): Promise<void> {
  await query(conn, sql`DELETE FROM admin_sessions WHERE user_id = ${userId} AND id <> ${exceptId ?? ''}`);
}

export function csrfMatches(expected: string, got: string | undefined): boolean {
  if (!got) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(got);
  return a.length === b.length && timingSafeEqual(a, b);
}
