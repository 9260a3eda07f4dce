/**
 * Revoke an access code: the status change and the `gateway.revoke` job (which takes it off every
 * router it is on) commit together, so a revoked code can never stay online for want of a job.
 * Revoking twice is a no-op answer, not an error.
 */
import { sql } from 'drizzle-orm';
import type { Deps } from '../../app/deps.ts';
import { query } from '../../db/open.ts';
import { AppError } from '../../lib/errors.ts';
import { type Actor, audit } from '../audit.ts';

export async function revokeCode(
  deps: Deps,
  o: { accessCodeId: string; reason?: string | undefined; actor: Actor; ip: string | null },
): Promise<{ revoked: boolean; status: string }> {
  return deps.db.transaction(async (tx) => {
    const now = deps.clock.now();
    const upd = await query<{ id: string }>(
      tx,
      sql`UPDATE access_codes SET status = 'revoked', revoked_at = ${now}, updated_at = ${now}
          WHERE id = ${o.accessCodeId} AND status IN ('issued', 'active') RETURNING id`,
    );
    if (!upd[0]) {
      const cur = await query<{ status: string }>(
        tx,
        sql`SELECT status FROM access_codes WHERE id = ${o.accessCodeId}`,
      );
      if (!cur[0]) throw new AppError('not_found', 'No such access code.');
      return { revoked: false, status: cur[0].status };
    }
    await deps.enqueue(tx, {
      kind: 'gateway.revoke',
      payload: { accessCodeId: o.accessCodeId },
      key: `gateway.revoke:${o.accessCodeId}:admin`,
    });
    await audit(tx, deps.clock, {
      actor: o.actor,
      action: 'code.revoke',
      entity: 'access_code',
      entityId: o.accessCodeId,
      detail: o.reason ? { reason: o.reason } : undefined,
      ip: o.ip,
    });
    return { revoked: true, status: 'revoked' };
  });
}
