/**
 * Staff accounts (owner only). Guards against locking the business out: the last enabled owner
 * cannot be demoted or disabled, and nobody changes their own role or disables themselves here.
 * A role change, disabling or a password reset signs the account out everywhere.
 */
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Deps } from '../../app/deps.ts';
import type { AdminRole } from '../../db/schema.ts';
import { asDate, query } from '../../db/open.ts';
import { AppError } from '../../lib/errors.ts';
import { type Actor, audit, staffIdOf } from '../../audit/index.ts';
import { lockStates, unlockEverywhere } from '../auth/login-locks.ts';
import { hashPassword, passwordProblem } from '../auth/password.ts';
import { deleteUserSessions } from '../auth/sessions.ts';
import { createAdminUser, roleSchema, usernameSchema } from '../auth/users.ts';

export const createStaffBody = z.object({
  username: usernameSchema,
  role: roleSchema,
  password: z.string().max(200),
});

export const patchStaffBody = z.object({
  role: roleSchema.optional(),
  disabled: z.boolean().optional(),
  password: z.string().max(200).optional(),
  unlock: z.literal(true).optional(),
});

export interface StaffView {
  id: number;
  username: string;
  role: AdminRole;
  disabled: boolean;
  failedLogins: number;
  locked: boolean;
  lastLoginAt: string | null;
  createdAt: string;
}

export async function listStaff(deps: Deps): Promise<StaffView[]> {
  const rows = await query<Record<string, any>>(
    deps.db,
    sql`SELECT id, username, role, disabled, last_login_at, created_at FROM admin_users ORDER BY id`,
  );
  const locks = await lockStates(deps.db, deps.clock.now());
  return rows.map((r) => ({
    id: r.id,
    username: r.username,
    role: r.role,
    disabled: r.disabled,
    /** Wrong passwords that still count, over every address. */
    failedLogins: locks.get(r.username)?.failures ?? 0,
    /** Locked out from at least one address. */
    locked: locks.get(r.username)?.locked ?? false,
    lastLoginAt: r.last_login_at ? asDate(r.last_login_at).toISOString() : null,
    createdAt: asDate(r.created_at).toISOString(),
  }));
}

/** The id of the account with this (normalised) username, or null. */
export async function findStaffId(deps: Deps, username: string): Promise<number | null> {
  const [u] = await query<{ id: number }>(
    deps.db,
    sql`SELECT id FROM admin_users WHERE username = ${username}`,
  );
  return u ? Number(u.id) : null;
}

export async function createStaff(
  deps: Deps,
  b: z.output<typeof createStaffBody>,
  actor: Actor,
  ip: string | null,
) {
  return deps.db.transaction((tx) => createAdminUser(tx, deps, { ...b, actor, ip }));
}

export async function updateStaff(
  deps: Deps,
  id: number,
  b: z.output<typeof patchStaffBody>,
  actor: Actor,
  ip: string | null,
) {
  const hash = b.password !== undefined ? await prepPassword(deps, id, b.password) : null;
  return deps.db.transaction(async (tx) => {
    // One lock order for every staff change: the enabled owners by id, then the account itself.
    // Two owners demoting each other at once then queue on the first owner row instead of each
    // holding one row and waiting for the other's (a deadlock); the second sees the first's result.
    if (b.role !== undefined || b.disabled !== undefined)
      await query(
        tx,
        sql`SELECT id FROM admin_users WHERE role = 'owner' AND NOT disabled ORDER BY id FOR UPDATE`,
      );
    const [u] = await query<{ id: number; username: string; role: string; disabled: boolean }>(
      tx,
      sql`SELECT id, username, role, disabled FROM admin_users WHERE id = ${id} FOR UPDATE`,
    );
    if (!u) throw new AppError('not_found', 'No such account.');
    if (id === staffIdOf(actor) && (b.role !== undefined || b.disabled !== undefined))
      throw new AppError(
        'conflict',
        'You cannot change your own role or disable yourself. Ask another owner.',
      );
    const losesOwner =
      u.role === 'owner' && !u.disabled && ((b.role && b.role !== 'owner') || b.disabled === true);
    if (losesOwner) {
      // Counted after the locks, in a fresh snapshot: every change that could add or remove an
      // owner has either committed or is waiting behind us.
      const [others] = await query<{ n: number }>(
        tx,
        sql`SELECT count(*)::int AS n FROM admin_users WHERE role = 'owner' AND NOT disabled AND id <> ${id}`,
      );
      if (Number(others!.n) === 0)
        throw new AppError('conflict', 'This is the last owner. Make someone else an owner first.');
    }
    const now = deps.clock.now();
    await query(
      tx,
      sql`UPDATE admin_users SET
            role = COALESCE(${b.role ?? null}, role),
            disabled = COALESCE(${b.disabled ?? null}, disabled),
            password_hash = COALESCE(${hash}, password_hash),
            updated_at = ${now}
          WHERE id = ${id}`,
    );
    if (b.unlock) await unlockEverywhere(tx, u.username);
    if (b.role !== undefined || b.disabled === true || hash) await deleteUserSessions(tx, id);
    await audit(tx, deps, {
      actor,
      action: 'staff.update',
      entity: 'admin_user',
      entityId: id,
      detail: {
        username: u.username,
        ...(b.role !== undefined ? { role: { from: u.role, to: b.role } } : {}),
        ...(b.disabled !== undefined ? { disabled: b.disabled } : {}),
        ...(hash ? { password: 'reset' } : {}),
        ...(b.unlock ? { unlocked: true } : {}),
      },
      ip,
    });
    return { ok: true };
  });
}

async function prepPassword(deps: Deps, id: number, password: string) {
  const [u] = await query<{ username: string }>(
    deps.db,
    sql`SELECT username FROM admin_users WHERE id = ${id}`,
  );
  const problem = passwordProblem(password, u?.username);
  if (problem) throw new AppError('validation', `password: ${problem}`);
  return hashPassword(password);
}
