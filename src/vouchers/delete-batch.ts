/**
 * Delete a batch made by mistake: only while none of its codes was ever sold, used or revoked, so
 * no payment, session or ticket in a customer's hand points at a code that is gone. Otherwise the
 * answer is a 409 that says to disable it instead.
 */
import { sql } from 'drizzle-orm';
import { deleteCodesOfBatch, heldCodesOfBatch } from '../access/index.ts';
import type { Deps } from '../app/deps.ts';
import { type Actor, audit } from '../audit/index.ts';
import { AppError } from '../lib/errors.ts';
import { lockBatch } from './batch-lock.ts';

export async function deleteBatch(
  deps: Deps,
  o: { batchId: string; actor: Actor; ip?: string | null },
): Promise<{ deleted: number }> {
  return deps.db.transaction(async (tx) => {
    const b = await lockBatch(tx, o.batchId);
    const held = await heldCodesOfBatch(tx, o.batchId);
    if (held > 0)
      throw new AppError(
        'conflict',
        `${held} code(s) of this batch were sold or used, so it cannot be deleted; disable it instead.`,
      );
    const deleted = await deleteCodesOfBatch(tx, o.batchId);
    await tx.execute(sql`DELETE FROM voucher_batches WHERE id = ${o.batchId}`);
    await audit(tx, deps, {
      actor: o.actor,
      action: 'voucher.batch_delete',
      entity: 'voucher_batch',
      entityId: o.batchId,
      detail: { codes: deleted, planId: b.plan_id, label: b.label },
      ip: o.ip ?? null,
    });
    return { deleted };
  });
}
