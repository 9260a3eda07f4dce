/**
 * Move a batch to another plan and/or give it another label. The codes not used yet take the new
 * plan's terms (duration, clock, data cap, devices), as if made for it; codes already used or
 * sold keep what was sold. Codes are not tied to a router (any router of the site accepts them),
 * so there is no router to move. One transaction with its audit row.
 */
import { sql } from 'drizzle-orm';
import { retermUnusedOfBatch } from '../access/index.ts';
import type { Deps } from '../app/deps.ts';
import { type Actor, audit } from '../audit/index.ts';
import { AppError } from '../lib/errors.ts';
import { getPlan } from '../plans/index.ts';
import { lockBatch } from './batch-lock.ts';

export async function moveBatch(
  deps: Deps,
  o: {
    batchId: string;
    planId?: number | undefined;
    label?: string | null | undefined;
    actor: Actor;
    ip?: string | null;
  },
): Promise<{ moved: number }> {
  if (o.planId === undefined && o.label === undefined)
    throw new AppError('validation', 'planId: give a plan or a label to move the batch to.');
  return deps.db.transaction(async (tx) => {
    const b = await lockBatch(tx, o.batchId);
    const now = deps.clock.now();
    let moved = 0;
    if (o.planId !== undefined && o.planId !== Number(b.plan_id)) {
      const plan = await getPlan(tx, o.planId);
      moved = await retermUnusedOfBatch(tx, o.batchId, plan, now);
      await tx.execute(sql`UPDATE voucher_batches SET plan_id = ${plan.id} WHERE id = ${o.batchId}`);
    }
    const label = o.label === undefined ? undefined : o.label?.trim() ? o.label.trim().slice(0, 80) : null;
    if (label !== undefined)
      await tx.execute(sql`UPDATE voucher_batches SET label = ${label} WHERE id = ${o.batchId}`);
    await audit(tx, deps, {
      actor: o.actor,
      action: 'voucher.batch_move',
      entity: 'voucher_batch',
      entityId: o.batchId,
      detail: {
        ...(o.planId !== undefined ? { planId: { from: Number(b.plan_id), to: o.planId }, moved } : {}),
        ...(label !== undefined ? { label: { from: b.label, to: label } } : {}),
      },
      ip: o.ip ?? null,
    });
    return { moved };
  });
}
