/**
 * Sign-in. Three brakes against guessing: a per-IP window (shared by all nodes through
 * `rate_limits`), a per-account lockout after LOCK_AFTER wrong passwords in a row, and the same
 * work (one argon2id) whether or not the username exists. The lockout is temporary so an attacker
 * cannot keep an operator out for long; the owner can also unlock an account at once.
 */
import { sql } from 'drizzle-orm';
import type { Deps } from '../../app/deps.ts';
import { asDate, query } from '../../db/open.ts';
import type { AdminRole } from '../../db/schema.ts';
import { AppError } from '../../lib/errors.ts';
import { audit } from '../audit.ts';
import { decoyHash, hashPassword, needsRehash, verifyPassword } from './password.ts';
import { createSession } from './sessions.ts';
import { hitRateLimit } from './throttle.ts';

export const LOCK_AFTER = 5;
export const LOCK_MS = 15 * 60_000;
export const IP_LIMIT = 20;
export const IP_WINDOW_MS = 15 * 60_000;

const WRONG = 'Wrong username or password.';

export interface LoginResult {
  token: string;
  csrfToken: string;
  expiresAt: Date;
  user: { id: number; username: string; role: AdminRole };
}

const minutes = (ms: number) => Math.max(1, Math.ceil(ms / 60_000));

export async function login(
  deps: Deps,
  o: { username: string; password: string; ip: string | null; userAgent: string | null },
): Promise<LoginResult> {
  const now = deps.clock.now();
  const hit = await hitRateLimit(deps.db, now, `admin-login:${o.ip ?? 'unknown'}`, IP_WINDOW_MS);
  if (hit.count > IP_LIMIT) {
    throw new AppError(
      'rate_limited',
      `Too many sign-in attempts from this network. Try again in ${minutes(hit.resetSeconds * 1000)} minutes.`,
      { retryAfterSeconds: hit.resetSeconds },
    );
  }
  const username = o.username.trim().toLowerCase();
  const rows = await query<{
    id: number;
    username: string;
    password_hash: string;
    role: AdminRole;
    disabled: boolean;
    locked_until: string | null;
  }>(
    deps.db,
    sql`SELECT id, username, password_hash, role, disabled, locked_until FROM admin_users WHERE username = ${username}`,
  );
  const user = rows[0];
  if (!user) {
    await verifyPassword(o.password, await decoyHash());
    throw new AppError('unauthorized', WRONG);
  }
  const lockedUntil = user.locked_until ? asDate(user.locked_until) : null;
  if (lockedUntil && lockedUntil > now) {
    throw new AppError(
      'rate_limited',
      `This account is locked after too many wrong passwords. Try again in ${minutes(lockedUntil.getTime() - now.getTime())} minutes, or ask the owner to unlock it.`,
      { retryAfterSeconds: Math.ceil((lockedUntil.getTime() - now.getTime()) / 1000) },
    );
  }
  const ok = await verifyPassword(o.password, user.password_hash);
  if (!ok) {
    // One statement: concurrent wrong guesses all count, and the lock starts at exactly LOCK_AFTER.
    const lockUntil = new Date(now.getTime() + LOCK_MS);
    const upd = await query<{ locked: boolean }>(
      deps.db,
      sql`UPDATE admin_users SET
            locked_until = CASE WHEN failed_logins + 1 >= ${LOCK_AFTER} THEN ${lockUntil}::timestamptz ELSE locked_until END,
            failed_logins = CASE WHEN failed_logins + 1 >= ${LOCK_AFTER} THEN 0 ELSE failed_logins + 1 END,
            updated_at = ${now}
          WHERE id = ${user.id}
          RETURNING (failed_logins = 0 AND locked_until = ${lockUntil}::timestamptz) AS locked`,
    );
    await audit(deps.db, deps.clock, {
      actor: { id: user.id, username: user.username },
      action: upd[0]?.locked ? 'auth.locked' : 'auth.login_failed',
      entity: 'admin_user',
      entityId: user.id,
      ip: o.ip,
    });
    throw new AppError('unauthorized', WRONG);
  }
  if (user.disabled) throw new AppError('forbidden', 'This account is disabled. Ask the owner to enable it.');

  const rehash = needsRehash(user.password_hash) ? await hashPassword(o.password) : null;
  return deps.db.transaction(async (tx) => {
    await query(
      tx,
      sql`UPDATE admin_users SET failed_logins = 0, locked_until = NULL, last_login_at = ${now},
            password_hash = COALESCE(${rehash}, password_hash), updated_at = ${now}
          WHERE id = ${user.id}`,
    );
    const s = await createSession(tx, deps, { userId: user.id, ip: o.ip, userAgent: o.userAgent });
    await audit(tx, deps.clock, {
      actor: { id: user.id, username: user.username },
      action: 'auth.login',
      entity: 'admin_user',
      entityId: user.id,
      ip: o.ip,
    });
    return { ...s, user: { id: user.id, username: user.username, role: user.role } };
  });
}
