import { eq, sql } from 'drizzle-orm';
import type { Deps } from '../app/deps.ts';
import { type Actor, audit } from '../audit/index.ts';
import { query } from '../db/open.ts';
import { plans } from '../db/schema.ts';
import { AppError } from '../lib/errors.ts';

/**
 * A plan anything was sold on stays (purchases and codes point at it, and reports need its
 * name): it is retired instead, which hides it from the portal.
 */
export async function deletePlan(deps: Deps, id: number, actor: Actor, ip: string | null) {
  return deps.db.transaction(async (tx) => {
    const [before] = await tx.select().from(plans).where(eq(plans.id, id)).for('update');
    if (!before) throw new AppError('not_found', 'No such plan.');
    const used = await query<{ used: boolean }>(
      tx,
      sql`SELECT EXISTS (SELECT 1 FROM purchases WHERE plan_id = ${id})
              OR EXISTS (SELECT 1 FROM access_codes WHERE plan_id = ${id})
              OR EXISTS (SELECT 1 FROM voucher_batches WHERE plan_id = ${id}) AS used`,
    );
    if (used[0]!.used) {
      await tx.update(plans).set({ active: false, updatedAt: deps.clock.now() }).where(eq(plans.id, id));
      await audit(tx, deps, {
        actor,
        action: 'plan.retire',
        entity: 'plan',
        entityId: id,
        detail: { name: before.name },
        ip,
      });
      return { deleted: false, retired: true };
    }
    await tx.delete(plans).where(eq(plans.id, id));
    await audit(tx, deps, {
      actor,
      action: 'plan.delete',
      entity: 'plan',
      entityId: id,
      detail: { name: before.name },
      ip,
    });
    return { deleted: true, retired: false };
  });
}
