import { sql } from 'drizzle-orm';
import type { Deps } from '../../app/deps.ts';
import { query } from '../../db/open.ts';
import { AppError } from '../../lib/errors.ts';
import { audit, staffActor } from '../../audit/index.ts';
import { hashPassword, passwordProblem, verifyPassword } from './password.ts';
import { type AdminPrincipal, deleteUserSessions } from './sessions.ts';

/** Change your own password; every other session of the account is signed out. */
export async function changeOwnPassword(
  deps: Deps,
  admin: AdminPrincipal,
  o: { currentPassword: string; newPassword: string; ip: string | null },
): Promise<void> {
  const rows = await query<{ password_hash: string }>(
    deps.db,
    sql`SELECT password_hash FROM admin_users WHERE id = ${admin.id}`,
  );
  if (!rows[0] || !(await verifyPassword(o.currentPassword, rows[0].password_hash)))
    throw new AppError('validation', 'currentPassword: That is not your current password.');
  const problem = passwordProblem(o.newPassword, admin.username);
  if (problem) throw new AppError('validation', `newPassword: ${problem}`);
  const hash = await hashPassword(o.newPassword);
  await deps.db.transaction(async (tx) => {
    await query(
      tx,
      sql`UPDATE admin_users SET password_hash = ${hash}, updated_at = ${deps.clock.now()} WHERE id = ${admin.id}`,
    );
    await deleteUserSessions(tx, admin.id, admin.sessionId);
    await audit(tx, deps, {
      actor: staffActor(admin),
      action: 'auth.password_changed',
      entity: 'admin_user',
      entityId: admin.id,
      ip: o.ip,
    });
  });
}
