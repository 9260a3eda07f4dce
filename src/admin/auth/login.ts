/**
 * Sign-in. Three brakes against guessing: a per-address window over all usernames (shared by all
 * nodes through `rate_limits`), a lock per (username, address) after LOCK_AFTER wrong passwords in
 * a row (login-locks.ts), and the same work (one argon2id) whether or not the username exists.
 * The lock stops only the address that guessed, so a stranger cannot lock the owner out; it is
 * temporary, and the owner can lift it at once (staff page or `wavu admin unlock`).
 */
import { sql } from 'drizzle-orm';
import type { Deps } from '../../app/deps.ts';
import { query } from '../../db/open.ts';
import type { AdminRole } from '../../db/schema.ts';
import { AppError } from '../../lib/errors.ts';
import { audit, staffActor } from '../../audit/index.ts';
import { clearLock, lockedUntil, recordWrongPassword } from './login-locks.ts';
import { decoyHash, hashPassword, needsRehash, verifyPassword } from './password.ts';
import { createSession } from './sessions.ts';
import { hitRateLimit } from './throttle.ts';

export { LOCK_AFTER, LOCK_MS } from './login-locks.ts';
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
  const key = { username, ip: o.ip, now };
  // Checked before the account is looked up, so it reads the same for a name that does not exist.
  const until = await lockedUntil(deps.db, key);
  if (until) {
    const ms = until.getTime() - now.getTime();
    throw new AppError(
      'rate_limited',
      `Too many wrong passwords for this account from your address. Try again in ${minutes(ms)} minutes, or ask the owner to unlock it.`,
      { retryAfterSeconds: Math.ceil(ms / 1000) },
    );
  }
  const rows = await query<{
    id: number;
    username: string;
    password_hash: string;
    role: AdminRole;
    disabled: boolean;
  }>(
    deps.db,
    sql`SELECT id, username, password_hash, role, disabled FROM admin_users WHERE username = ${username}`,
  );
  const user = rows[0];
  const ok = await verifyPassword(o.password, user?.password_hash ?? (await decoyHash()));
  if (!user || !ok) {
    const locked = await recordWrongPassword(deps.db, key);
    if (user) {
      await audit(deps.db, deps, {
        actor: staffActor(user),
        action: locked ? 'auth.locked' : 'auth.login_failed',
        entity: 'admin_user',
        entityId: user.id,
        ip: o.ip,
      });
    }
    throw new AppError('unauthorized', WRONG);
  }
  if (user.disabled) throw new AppError('forbidden', 'This account is disabled. Ask the owner to enable it.');

  const rehash = needsRehash(user.password_hash) ? await hashPassword(o.password) : null;
  return deps.db.transaction(async (tx) => {
    await query(
      tx,
      sql`UPDATE admin_users SET last_login_at = ${now},
            password_hash = COALESCE(${rehash}, password_hash), updated_at = ${now}
          WHERE id = ${user.id}`,
    );
    await clearLock(tx, key);
    const s = await createSession(tx, deps, { userId: user.id, ip: o.ip, userAgent: o.userAgent });
    await audit(tx, deps, {
      actor: staffActor(user),
      action: 'auth.login',
      entity: 'admin_user',
      entityId: user.id,
      ip: o.ip,
    });
    return { ...s, user: { id: user.id, username: user.username, role: user.role } };
  });
}
