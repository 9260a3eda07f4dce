import { eq } from 'drizzle-orm';
import type { Deps } from '../app/deps.ts';
import { type Actor, audit, changesOf } from '../audit/index.ts';
import { isUniqueViolation } from '../db/open.ts';
import { plans } from '../db/schema.ts';
import { AppError } from '../lib/errors.ts';
import { nameTaken } from './create-plan.ts';
import { toPlanView } from './plan-row.ts';
import type { PlanInput } from './plan-schema.ts';

export async function updatePlan(
  deps: Deps,
  id: number,
  patch: Partial<PlanInput>,
  actor: Actor,
  ip: string | null,
) {
  try {
    return await deps.db.transaction(async (tx) => {
      const [before] = await tx.select().from(plans).where(eq(plans.id, id)).for('update');
      if (!before) throw new AppError('not_found', 'No such plan.');
      const [row] = await tx
        .update(plans)
        .set({ ...patch, updatedAt: deps.clock.now() })
        .where(eq(plans.id, id))
        .returning();
      const changes = changesOf(before, patch);
      await audit(tx, deps, {
        actor,
        action: 'plan.update',
        entity: 'plan',
        entityId: id,
        detail: changes,
        ip,
      });
      return toPlanView(row!);
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw nameTaken(patch.name ?? '');
    throw e;
  }
}
