/** Plans: list, create, change, delete (or retire when anything was ever sold on it). */
import { asc, eq, sql } from 'drizzle-orm';
import type { Deps } from '../../app/deps.ts';
import { isUniqueViolation, query } from '../../db/open.ts';
import { plans } from '../../db/schema.ts';
import { AppError } from '../../lib/errors.ts';
import { type Actor, audit } from '../../audit/index.ts';
import type { PlanInput, PlanView } from './plan-schema.ts';

type Row = typeof plans.$inferSelect;

const view = (r: Row): PlanView => ({
  id: r.id,
  name: r.name,
  priceKes: r.priceKes,
  durationSeconds: r.durationSeconds,
  dataCapBytes: r.dataCapBytes,
  rateUpKbps: r.rateUpKbps,
  rateDownKbps: r.rateDownKbps,
  devices: r.devices,
  clock: r.clock,
  startsOn: r.startsOn,
  active: r.active,
  sortOrder: r.sortOrder,
  createdAt: r.createdAt.toISOString(),
  updatedAt: r.updatedAt.toISOString(),
});

const nameTaken = (name: string) => new AppError('conflict', `There is already a plan named "${name}".`);

export async function listPlans(deps: Deps): Promise<PlanView[]> {
  const rows = await deps.db.select().from(plans).orderBy(asc(plans.sortOrder), asc(plans.id));
  return rows.map(view);
}

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
      return view(row!);
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw nameTaken(input.name);
    throw e;
  }
}

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
      const changes: Record<string, { from: unknown; to: unknown }> = {};
      for (const [k, v] of Object.entries(patch)) {
        const old = (before as Record<string, unknown>)[k];
        if (old !== v) changes[k] = { from: old, to: v };
      }
      await audit(tx, deps, {
        actor,
        action: 'plan.update',
        entity: 'plan',
        entityId: id,
        detail: changes,
        ip,
      });
      return view(row!);
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw nameTaken(patch.name ?? '');
    throw e;
  }
}

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
