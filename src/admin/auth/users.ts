/** Creating admin accounts: one place for the username and password rules. */
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Deps } from '../../app/deps.ts';
import { type Conn, isUniqueViolation, query } from '../../db/open.ts';
import { ADMIN_ROLES, type AdminRole } from '../../db/schema.ts';
import { AppError } from '../../lib/errors.ts';
import { type Actor, audit, staffActor } from '../../audit/index.ts';
import { hashPassword, passwordProblem } from './password.ts';

export const usernameSchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(
    /^[a-z0-9][a-z0-9_.@-]{1,63}$/,
    'Use 2 to 64 letters, digits, . _ @ or -, starting with a letter or digit',
  );

export const roleSchema = z.enum(ADMIN_ROLES);

export interface AdminUserView {
  id: number;
  username: string;
  role: AdminRole;
}

export async function createAdminUser(
  conn: Conn,
  deps: Deps,
  o: {
    username: string;
    password: string;
    role: AdminRole;
    /** 'self': the person creating the first owner on the setup page, who has no account before. */
    actor: Actor | 'self';
    ip?: string | null;
  },
): Promise<AdminUserView> {
  const username = usernameSchema.parse(o.username);
  const problem = passwordProblem(o.password, username);
  if (problem) throw new AppError('validation', `password: ${problem}`);
  const hash = await hashPassword(o.password);
  const now = deps.clock.now();
  try {
    const rows = await query<{ id: number }>(
      conn,
      sql`INSERT INTO admin_users (username, password_hash, role, created_at, updated_at)
          VALUES (${username}, ${hash}, ${o.role}, ${now}, ${now}) RETURNING id`,
    );
    const id = rows[0]!.id;
    await audit(conn, deps, {
      actor: o.actor === 'self' ? staffActor({ id, username }) : o.actor,
      action: 'staff.create',
      entity: 'admin_user',
      entityId: id,
      detail: { username, role: o.role },
      ip: o.ip ?? null,
    });
    return { id, username, role: o.role };
  } catch (e) {
    if (isUniqueViolation(e))
      throw new AppError('conflict', `There is already an account named ${username}.`);
    throw e;
  }
}

export async function countAdmins(conn: Conn): Promise<number> {
  const rows = await query<{ n: number }>(conn, sql`SELECT count(*)::int AS n FROM admin_users`);
  return Number(rows[0]!.n);
}
