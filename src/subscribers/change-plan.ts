import { sql } from 'drizzle-orm';
import type { Deps } from '../app/deps.ts';
import { type Actor, audit } from '../audit/index.ts';
import { asDate, type Conn, query } from '../db/open.ts';
import { AppError } from '../lib/errors.ts';
import type { BillingPeriod } from './periods.ts';
import { type PlanChangeQuote, quotePlanChange } from './proration.ts';
import {
  findServicePlan,
  findSubscriberRow,
  routerNames,
  type SubscriberRow,
  type SubscriberView,
  toSubscriberView,
} from './repo.ts';
import { requestSync } from './sync.ts';

async function quoteFor(conn: Conn, row: SubscriberRow, planRef: number | string, now: Date) {
  const plan = await findServicePlan(conn, planRef);
  if (!plan) throw new AppError('validation', `plan: There is no service plan "${planRef}".`);
  if (plan.id === Number(row.service_plan_id))
    throw new AppError('conflict', `The subscriber is already on ${plan.name}.`);
  if (!plan.active) throw new AppError('validation', `plan: ${plan.name} is retired; pick an active plan.`);
  const quote = quotePlanChange({
    now,
    dueAt: asDate(row.due_at),
    from: {
      name: String(row.plan_name),
      period: row.period as BillingPeriod,
      priceKes: Number(row.price_kes),
    },
    to: plan,
    balanceKes: Number(row.balance_kes),
    owedKes: Number(row.owed_kes),
  });
  return { plan, quote };
}

/** What moving to `planRef` would cost now, for the confirmation (nothing is changed). */
export async function previewPlanChange(
  deps: Deps,
  ref: number | string,
  planRef: number | string,
): Promise<PlanChangeQuote> {
  const row = await findSubscriberRow(deps.db, ref);
  return (await quoteFor(deps.db, row, planRef, deps.clock.now())).quote;
}

export interface PlanChangeResult {
  subscriber: SubscriberView;
  quote: PlanChangeQuote;
}

/**
 * Move a subscriber to another plan at once, settling the days left as `quotePlanChange` says
 * (the rule is written there and in docs/subscribers.md). The router is told to apply the new rate.
 */
export async function changeSubscriberPlan(
  deps: Deps,
  ref: number | string,
  planRef: number | string,
  actor: Actor,
  ip: string | null = null,
): Promise<PlanChangeResult> {
  const now = deps.clock.now();
  const { id, quote } = await deps.db.transaction(async (tx) => {
    const row = await findSubscriberRow(tx, ref, { lock: true });
    if (row.state === 'disconnected') throw new AppError('conflict', 'The account is closed.');
    const { plan, quote } = await quoteFor(tx, row, planRef, now);
    const id = Number(row.id);
    await query(
      tx,
      sql`UPDATE subscribers SET service_plan_id = ${plan.id}, balance_kes = ${quote.balanceAfterKes},
            owed_kes = ${quote.owedAfterKes}, updated_at = ${now}
          WHERE id = ${id}`,
    );
    await requestSync(tx, deps, id);
    await audit(tx, deps, {
      actor,
      action: 'subscriber.change-plan',
      entity: 'subscriber',
      entityId: id,
      detail: {
        accountNo: row.account_no,
        from: row.plan_name,
        to: plan.name,
        differenceKes: quote.differenceKes,
        balanceAfterKes: quote.balanceAfterKes,
        owedAfterKes: quote.owedAfterKes,
        text: quote.text,
      },
      ip,
    });
    return { id, quote };
  });
  return {
    subscriber: toSubscriberView(await findSubscriberRow(deps.db, id), now, await routerNames(deps)),
    quote,
  };
}
