/**
 * Disable a batch (a lost or stolen pile of tickets): every code of it not used yet stops working
 * at once. Codes already in use run to their end (revoke one from its page to cut it short); they
 * were sold. One transaction with its audit row.
 */
import { revokeUnusedOfBatch } from '../access/index.ts';
import type { Deps } from '../app/deps.ts';
import { type Actor, audit } from '../audit/index.ts';
import { lockBatch } from './batch-lock.ts';

export async function disableBatch(
  deps: Deps,
  o: { batchId: string; actor: Actor; ip?: string | null },
): Promise<{ revoked: number }> {
  return deps.db.transaction(async (tx) => {
    await lockBatch(tx, o.batchId);
    const now = deps.clock.now();
    const revoked = await revokeUnusedOfBatch(tx, o.batchId, now);
    await audit(tx, deps, {
      actor: o.actor,
      action: 'voucher.batch_disable',
      entity: 'voucher_batch',
      entityId: o.batchId,
      detail: { revoked },
      ip: o.ip ?? null,
    });
    return { revoked };
  });
}
