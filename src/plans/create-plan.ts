import type { Deps } from '../app/deps.ts';
import { type Actor, audit } from '../audit/index.ts';
import { isUniqueViolation } from '../db/open.ts';
import { plans } from '../db/schema.ts';
import { AppError } from '../lib/errors.ts';
import { toPlanView } from './plan-row.ts';
import type { PlanInput } from './plan-schema.ts';

export const nameTaken = (name: string) =>
  new AppError('conflict', `There is already a plan named "${name}".`);

export async function createPlan(deps: Deps, input: PlanInput, actor: Actor, ip: string | null) {
  const now = deps.clock.now();
  try {
    return await deps.db.transaction(async (tx) => {
      const [row] = await tx
        .insert(plans)
        .values({ ...input, createdAt: now, updatedAt: now })
        .returning();
      await audit(tx, deps, {
        actor,
        action: 'plan.create',
        entity: 'plan',
        entityId: row!.id,
        detail: { ...input },
        ip,
      });
      return toPlanView(row!);
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw nameTaken(input.name);
    throw e;
  }
}
