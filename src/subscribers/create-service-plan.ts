import { sql } from 'drizzle-orm';
import type { Deps } from '../app/deps.ts';
import { type Actor, audit } from '../audit/index.ts';
import { isUniqueViolation, query } from '../db/open.ts';
import { planTaken } from './errors.ts';
import type { ServicePlanInput } from './input.ts';
import { type ServicePlan, toServicePlan } from './repo.ts';

export async function createServicePlan(
  deps: Deps,
  input: ServicePlanInput,
  actor: Actor,
  ip: string | null = null,
): Promise<ServicePlan> {
  const now = deps.clock.now();
  try {
    return await deps.db.transaction(async (tx) => {
      const [row] = await query<Record<string, unknown>>(
        tx,
        sql`INSERT INTO service_plans (name, period, price_kes, rate_up_kbps, rate_down_kbps, data_cap_bytes,
                                       fair_use_up_kbps, fair_use_down_kbps, grace_days, active, sort_order,
                                       created_at, updated_at)
            VALUES (${input.name}, ${input.period}, ${input.priceKes}, ${input.rateUpKbps}, ${input.rateDownKbps},
                    ${input.dataCapBytes}, ${input.fairUseUpKbps}, ${input.fairUseDownKbps}, ${input.graceDays},
                    ${input.active}, ${input.sortOrder}, ${now}, ${now})
            RETURNING *`,
      );
      const plan = toServicePlan(row!);
      await audit(tx, deps, {
        actor,
        action: 'service-plan.create',
        entity: 'service_plan',
        entityId: plan.id,
        detail: { ...input },
        ip,
      });
      return plan;
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw planTaken(input.name);
    throw e;
  }
}
