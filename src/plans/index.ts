/**
 * Plans: the packages on sale. This folder owns every read and write of the `plans` table that
 * other features make; they import from here only.
 */
export { createPlan } from './create-plan.ts';
export { deletePlan } from './delete-plan.ts';
export { effectiveRate, FAIR_USE_RATE_HINT, parseFairUseRate } from './fair-use.ts';
export { findPlanByName } from './find-plan-by-name.ts';
export { getPlan } from './get-plan.ts';
export { getPlanForSale } from './get-plan-for-sale.ts';
export { listPlans } from './list-plans.ts';
export { listPlansOnSale } from './list-plans-on-sale.ts';
export type { PublicPlan, VoucherPlan } from './plan-row.ts';
export { type PlanInput, type PlanView, planInput, planPatch, planView } from './plan-schema.ts';
export { updatePlan } from './update-plan.ts';
