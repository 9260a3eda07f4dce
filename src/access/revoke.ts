/** Cancel a code (staff, API): it stops working at once and is taken off every router. */
import { sql } from 'drizzle-orm';
import type { Deps } from '../app/deps.ts';
import { query } from '../db/open.ts';
import { REVOKE_JOB } from '../gateways/index.ts';
import { AppError } from '../lib/errors.ts';
import { type Actor, audit } from '../audit/index.ts';
import { hashCode } from './codes.ts';

export interface RevokeInput {
  accessCodeId?: string | undefined;
  code?: string | undefined;
  reason?: string | undefined;
  actor: Actor;
  ip?: string | null | undefined;
}

export async function revokeCode(
  deps: Deps,
  input: RevokeInput,
): Promise<{ accessCodeId: string; changed: boolean }> {
  if (!input.accessCodeId && !input.code) throw new AppError('validation', 'Give the code or its id.');
  return deps.db.transaction(async (tx) => {
    const now = deps.clock.now();
    const where = input.accessCodeId
      ? sql`id = ${input.accessCodeId}`
      : sql`code_hash = ${hashCode(deps.sealer, input.code!)}`;
    const [row] = await query<{ id: string; status: string }>(
      tx,
      sql`SELECT id, status FROM access_codes WHERE ${where} FOR UPDATE`,
    );
    if (!row) throw new AppError('not_found', 'There is no such code.');
    if (row.status === 'revoked') return { accessCodeId: row.id, changed: false };
    await tx.execute(
      sql`UPDATE access_codes SET status = 'revoked', revoked_at = ${now}, updated_at = ${now} WHERE id = ${row.id}`,
    );
    // Expired codes were already revoked on the routers; a second revoke is harmless and cheap.
    await deps.enqueue(tx, REVOKE_JOB, { accessCodeId: row.id }, { key: `revoke:${row.id}:revoked` });
    await audit(tx, deps, {
      actor: input.actor,
      action: 'access.revoke',
      entity: 'access_code',
      entityId: row.id,
      detail: { from: row.status, reason: input.reason ?? null },
      ip: input.ip ?? null,
    });
    return { accessCodeId: row.id, changed: true };
  });
}
