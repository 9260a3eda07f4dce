/**
 * The first owner account. There is no built-in login: either ADMIN_USERNAME/ADMIN_PASSWORD
 * create it at start, or the one-time setup page does, and both work only while no admin user
 * exists. An advisory lock makes two nodes (or two browsers) racing here create one owner.
 */
import { sql } from 'drizzle-orm';
import type { Deps } from '../../app/deps.ts';
import { type Conn, query } from '../../db/open.ts';
import { ZodError } from 'zod';
import { describeZod } from '../../http/errors.ts';
import { AppError } from '../../lib/errors.ts';
import { SYSTEM } from '../../audit/index.ts';
import { type AdminUserView, countAdmins, createAdminUser } from './users.ts';

const SETUP_LOCK = 0x77617661; // "wava"

export async function needsSetup(conn: Conn): Promise<boolean> {
  const rows = await query<{ any: boolean }>(conn, sql`SELECT EXISTS (SELECT 1 FROM admin_users) AS any`);
  return !rows[0]!.any;
}

/** Creates the owner if no admin exists; returns null (and changes nothing) otherwise. */
export async function createFirstOwner(
  deps: Deps,
  o: { username: string; password: string; ip?: string | null; via: 'setup' | 'env' },
): Promise<AdminUserView | null> {
  return deps.db.transaction(async (tx) => {
    await query(tx, sql`SELECT pg_advisory_xact_lock(${SETUP_LOCK})`);
    if ((await countAdmins(tx)) > 0) return null;
    return createAdminUser(tx, deps, {
      username: o.username,
      password: o.password,
      role: 'owner',
      actor: o.via === 'env' ? SYSTEM : 'self',
      ip: o.ip ?? null,
    });
  });
}

/** The setup endpoint: refuses once any admin exists, whatever is sent. */
export async function setupFirstOwner(
  deps: Deps,
  o: { username: string; password: string; ip: string | null },
): Promise<AdminUserView> {
  const user = await createFirstOwner(deps, { ...o, via: 'setup' });
  if (!user) throw new AppError('gone', 'Setup is already done. Sign in with an existing account.');
  return user;
}

/** At start: ADMIN_USERNAME/ADMIN_PASSWORD create the first owner when there is none yet. */
export async function ensureOwnerFromEnv(deps: Deps): Promise<void> {
  const { username, password } = deps.config.admin;
  if (!username || !password) {
    if (await needsSetup(deps.db))
      deps.log.warn(
        'no admin account yet: open /admin to create the owner, or set ADMIN_USERNAME/ADMIN_PASSWORD',
      );
    return;
  }
  try {
    const user = await createFirstOwner(deps, { username, password, via: 'env' });
    if (user) deps.log.info({ username: user.username }, 'created the first owner from ADMIN_USERNAME');
  } catch (e) {
    // A rejected username or password must not take the whole server down; say exactly why.
    const why = e instanceof AppError ? e.message : e instanceof ZodError ? describeZod(e) : String(e);
    deps.log.error(`ADMIN_USERNAME/ADMIN_PASSWORD were not used to create the owner: ${why}`);
  }
}
