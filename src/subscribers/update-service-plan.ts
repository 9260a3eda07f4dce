import { sql } from 'drizzle-orm';
import type { Deps } from '../app/deps.ts';
import { type Actor, audit, changesOf } from '../audit/index.ts';
import { isUniqueViolation, query } from '../db/open.ts';
import { AppError } from '../lib/errors.ts';
import { planTaken } from './errors.ts';
import { fairUseProblem, type ServicePlanPatch } from './input.ts';
import { type ServicePlan, toServicePlan } from './repo.ts';
import { requestSync } from './sync.ts';

/** Fields the routers enforce: a change re-syncs every subscriber on the plan. */
const RATE_FIELDS = [
  'rateUpKbps',
  'rateDownKbps',
  'dataCapBytes',
  'fairUseUpKbps',
  'fairUseDownKbps',
] as const;

/**
 * Change a plan (only the fields given). A new price applies from each subscriber's next payment;
 * a new rate applies at once, so each subscriber still on the plan gets a `subscriber.sync`.
 */
export async function updateServicePlan(
  deps: Deps,
  id: number,
  patch: ServicePlanPatch,
  actor: Actor,
  ip: string | null = null,
): Promise<ServicePlan> {
  try {
    return await deps.db.transaction(async (tx) => {
      const [cur] = await query<Record<string, unknown>>(
        tx,
        sql`SELECT * FROM service_plans WHERE id = ${id} FOR UPDATE`,
      );
      if (!cur) throw new AppError('not_found', 'No such service plan.');
      const before = toServicePlan(cur);
      const after = { ...before, ...patch };
      const fairUse = fairUseProblem(after);
      if (fairUse) throw new AppError('validation', `fairUseUpKbps: ${fairUse}`);
      const [row] = await query<Record<string, unknown>>(
        tx,
        sql`UPDATE service_plans SET name = ${after.name}, period = ${after.period}, price_kes = ${after.priceKes},
              rate_up_kbps = ${after.rateUpKbps}, rate_down_kbps = ${after.rateDownKbps},
              data_cap_bytes = ${after.dataCapBytes}, fair_use_up_kbps = ${after.fairUseUpKbps},
              fair_use_down_kbps = ${after.fairUseDownKbps}, grace_days = ${after.graceDays},
              active = ${after.active}, sort_order = ${after.sortOrder}, updated_at = ${deps.clock.now()}
            WHERE id = ${id} RETURNING *`,
      );
      const changes = changesOf(before, patch);
      if (RATE_FIELDS.some((k) => k in changes)) {
        const subs = await query<{ id: number }>(
          tx,
          sql`SELECT id FROM subscribers WHERE service_plan_id = ${id} AND state <> 'disconnected' ORDER BY id`,
        );
        for (const s of subs) await requestSync(tx, deps, Number(s.id));
      }
      await audit(tx, deps, {
        actor,
        action: 'service-plan.update',
        entity: 'service_plan',
        entityId: id,
        detail: changes,
        ip,
      });
      return toServicePlan(row!);
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw planTaken(patch.name ?? '');
    throw e;
  }
}
