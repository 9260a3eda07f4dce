/**
 * The subscriber business at a glance: who is due this week, who is overdue, what came in per
 * month and per plan (from the payment ledger), and churn per month. Months are Kenyan calendar
 * months. Read-only, so plain SQL over this feature's tables (and the audit log for closures).
 */
import { sql } from 'drizzle-orm';
import type { Deps } from '../app/deps.ts';
import { query } from '../db/open.ts';
import { DAY_MS } from '../lib/eat-time.ts';

export interface SubscriberReport {
  dueThisWeek: { subscribers: number; amountKes: number };
  overdue: { subscribers: number; amountKes: number };
  /** Newest month first, the last `months` months that had payments. */
  revenueByMonth: { month: string; amountKes: number; payments: number }[];
  /** By the plan each payer is on now (the ledger does not keep the plan of each payment). */
  revenueByPlan: { plan: string; amountKes: number; payments: number }[];
  /**
   * `closed`: accounts closed that month (the audit log's subscriber.close); `lapsed`: subscribers
   * expired now, by the month their grace ran out.
   */
  churnByMonth: { month: string; closed: number; lapsed: number }[];
}

const month = (col: ReturnType<typeof sql>) =>
  sql`to_char(((${col}) AT TIME ZONE 'UTC') + interval '3 hours', 'YYYY-MM')`;

export async function subscriberReport(deps: Deps, o: { months?: number } = {}): Promise<SubscriberReport> {
  const now = deps.clock.now();
  const since = new Date(now.getTime() - (o.months ?? 12) * 31 * DAY_MS);
  const weekEnd = new Date(now.getTime() + 7 * DAY_MS);
  const [due] = await query<Record<string, unknown>>(
    deps.db,
    sql`SELECT count(*) FILTER (WHERE s.due_at >= ${now} AND s.due_at < ${weekEnd})::int AS week_n,
               coalesce(sum(greatest(0, p.price_kes + s.owed_kes - s.balance_kes))
                 FILTER (WHERE s.due_at >= ${now} AND s.due_at < ${weekEnd}), 0)::int AS week_kes,
               count(*) FILTER (WHERE s.due_at < ${now})::int AS over_n,
               coalesce(sum(greatest(0, p.price_kes + s.owed_kes - s.balance_kes))
                 FILTER (WHERE s.due_at < ${now}), 0)::int AS over_kes
          FROM subscribers s JOIN service_plans p ON p.id = s.service_plan_id
         WHERE s.state IN ('active', 'expired')`,
  );
  const byMonth = await query<Record<string, unknown>>(
    deps.db,
    sql`SELECT ${month(sql`created_at`)} AS month, sum(amount_kes)::int AS kes, count(*)::int AS n
          FROM subscriber_payments WHERE created_at >= ${since}
         GROUP BY 1 ORDER BY 1 DESC`,
  );
  const byPlan = await query<Record<string, unknown>>(
    deps.db,
    sql`SELECT p.name AS plan, sum(sp.amount_kes)::int AS kes, count(*)::int AS n
          FROM subscriber_payments sp
          JOIN subscribers s ON s.id = sp.subscriber_id
          JOIN service_plans p ON p.id = s.service_plan_id
         WHERE sp.created_at >= ${since}
         GROUP BY p.name, p.sort_order ORDER BY p.sort_order, p.name`,
  );
  const churn = await query<Record<string, unknown>>(
    deps.db,
    sql`WITH closed AS (
          SELECT ${month(sql`at`)} AS month, count(*)::int AS n FROM audit_log
           WHERE action = 'subscriber.close' AND at >= ${since} GROUP BY 1
        ), lapsed AS (
          SELECT ${month(sql`s.due_at + make_interval(days => p.grace_days)`)} AS month, count(*)::int AS n
            FROM subscribers s JOIN service_plans p ON p.id = s.service_plan_id
           WHERE s.state = 'expired' AND s.due_at >= ${since} GROUP BY 1
        )
        SELECT coalesce(c.month, l.month) AS month, coalesce(c.n, 0) AS closed, coalesce(l.n, 0) AS lapsed
          FROM closed c FULL JOIN lapsed l ON l.month = c.month
         ORDER BY 1 DESC`,
  );
  return {
    dueThisWeek: { subscribers: Number(due!.week_n), amountKes: Number(due!.week_kes) },
    overdue: { subscribers: Number(due!.over_n), amountKes: Number(due!.over_kes) },
    revenueByMonth: byMonth.map((r) => ({
      month: String(r.month),
      amountKes: Number(r.kes),
      payments: Number(r.n),
    })),
    revenueByPlan: byPlan.map((r) => ({
      plan: String(r.plan),
      amountKes: Number(r.kes),
      payments: Number(r.n),
    })),
    churnByMonth: churn.map((r) => ({
      month: String(r.month),
      closed: Number(r.closed),
      lapsed: Number(r.lapsed),
    })),
  };
}
