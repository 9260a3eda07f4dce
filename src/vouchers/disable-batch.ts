/**
 * Disable a batch (a lost or stolen pile of tickets): every code of it not used yet stops working
 * at once. Codes already in use run to their end (revoke one from its page to cut it short); they
 * were sold. One transaction with its audit row.
 */
import { sql } from 'drizzle-orm';
import type { Deps } from '../app/deps.ts';
import { query } from '../db/open.ts';
import { type Actor, audit } from '../audit/index.ts';
import { lockBatch } from './batch-lock.ts';

export async function disableBatch(
  deps: Deps,
  o: { batchId: string; actor: Actor; ip?: string | null },
): Promise<{ revoked: number }> {
  return deps.db.transaction(async (tx) => {
    await lockBatch(tx, o.batchId);
    const now = deps.clock.now();
    // An unused code is on no router (it binds at first login), so no gateway job is needed.
    const rows = await query<{ id: string }>(
      tx,
      sql`UPDATE access_codes SET status = 'revoked', revoked_at = ${now}, updated_at = ${now}
          WHERE batch_id = ${o.batchId} AND status = 'issued' RETURNING id`,
    );
    await audit(tx, deps, {
      actor: o.actor,
      action: 'voucher.batch_disable',
      entity: 'voucher_batch',
      entityId: o.batchId,
      detail: { revoked: rows.length },
      ip: o.ip ?? null,
    });
    return { revoked: rows.length };
  });
}
