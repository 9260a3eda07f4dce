/**
 * Dashboard figures for the last N days, by East Africa Time day (UTC+3, no daylight saving).
 * Each figure is one indexed query; bench/admin-dashboard.ts times them on a million purchases.
 */
import { staffMeaning } from '../../payments/index.ts';
import { sql } from 'drizzle-orm';
import type { Deps } from '../../app/deps.ts';
import { query } from '../../db/open.ts';
import { DAY_MS, eatDate, startOfEatDay } from '../../lib/eat-time.ts';

/** Midnight EAT `days - 1` days before now: the range covers today and the days before it. */
export function rangeStart(now: Date, days: number): Date {
  return new Date(startOfEatDay(now).getTime() - (days - 1) * DAY_MS);
}

/** The East Africa Time calendar day of a timestamptz column (UTC+3 all year). */
const eatDay = (col: string) => sql.raw(`((${col} AT TIME ZONE 'UTC') + interval '3 hours')::date`);

/** How many recent payments the payment-to-access figure looks at (a sample keeps it cheap). */
export const ACCESS_SAMPLE = 5000;

export interface Dashboard {
  from: string;
  to: string;
  revenue: { totalKes: number; todayKes: number; payments: number };
  revenuePerDay: { day: string; kes: number; payments: number }[];
  revenuePerPlan: { planId: number; name: string; kes: number; payments: number }[];
  revenuePerRouter: { routerId: number | null; name: string; kes: number; payments: number }[];
  /** By M-Pesa payment account (Paybill or Till); cash sales are the `null` row. */
  revenuePerAccount: { accountId: number | null; name: string; kes: number; payments: number }[];
  sessions: {
    active: number;
    activePerRouter: { routerId: number | null; name: string; active: number }[];
    perDay: { day: string; sessions: number }[];
  };
  payments: {
    byStatus: Record<string, number>;
    /** paid ÷ (paid + failed + cancelled + expired) of STK pushes in the range; null when none settled. */
    successRate: number | null;
    /** `meaning` in plain words; `description` is M-Pesa's own text, for reference. */
    resultCodes: { resultCode: string; meaning: string | null; description: string | null; count: number }[];
  };
  /**
   * Seconds from payment to the first session of the code it paid for (M-Pesa, not vouchers),
   * over the latest ACCESS_SAMPLE such payments in the range.
   */
  timeToAccess: { samples: number; p50: number | null; p90: number | null; max: number | null };
}

export const DASHBOARD_QUERIES = {
  // One pass over the paid purchases of the range gives all four revenue breakdowns.
  revenue: (from: Date) =>
    sql`SELECT GROUPING(${eatDay('p.paid_at')}) AS g_day, GROUPING(p.plan_id) AS g_plan,
               GROUPING(p.router_id) AS g_router,
               ${eatDay('p.paid_at')}::text AS day, p.plan_id, p.router_id, p.payment_account_id,
               sum(coalesce(p.paid_amount_kes, p.amount_kes))::bigint AS kes, count(*)::int AS n
        FROM purchases p WHERE p.status = 'paid' AND p.paid_at >= ${from}
        GROUP BY GROUPING SETS ((${eatDay('p.paid_at')}), (p.plan_id), (p.router_id), (p.payment_account_id))`,
  names: () =>
    sql`SELECT 'plan' AS kind, id, name FROM plans UNION ALL SELECT 'router', id, name FROM routers
        UNION ALL SELECT 'account', id, name FROM payment_accounts`,
  activeSessions: () =>
    sql`SELECT s.router_id, r.name, count(*)::int AS n FROM sessions s LEFT JOIN routers r ON r.id = s.router_id
        WHERE s.status = 'active' GROUP BY s.router_id, r.name ORDER BY n DESC`,
  sessionsPerDay: (from: Date) =>
    sql`SELECT ${eatDay('started_at')}::text AS day, count(*)::int AS n FROM sessions
        WHERE started_at >= ${from} GROUP BY 1 ORDER BY 1`,
  // One pass over the STK pushes of the range: status counts and result codes together.
  payments: (from: Date) =>
    sql`SELECT status, result_code, max(result_desc) AS description, count(*)::int AS n FROM purchases
        WHERE channel = 'stk' AND created_at >= ${from} GROUP BY status, result_code`,
  // Sessions that started before the payment belong to an earlier purchase the code was extended
  // from; a minute of slack covers router and server clocks that differ a little.
  timeToAccess: (from: Date) =>
    sql`SELECT count(*)::int AS n,
               percentile_cont(0.5) WITHIN GROUP (ORDER BY secs) AS p50,
               percentile_cont(0.9) WITHIN GROUP (ORDER BY secs) AS p90,
               max(secs) AS max
        FROM (SELECT greatest(0, extract(epoch FROM (f.first_at - p.paid_at))) AS secs
              FROM (SELECT paid_at, access_code_id FROM purchases
                    WHERE status = 'paid' AND paid_at >= ${from} AND purpose = 'access' AND channel <> 'cash'
                    ORDER BY paid_at DESC LIMIT ${ACCESS_SAMPLE}) p
              CROSS JOIN LATERAL (
                SELECT min(s.started_at) AS first_at FROM sessions s
                WHERE s.access_code_id = p.access_code_id AND s.started_at >= p.paid_at - interval '1 minute'
              ) f
              WHERE f.first_at IS NOT NULL) t`,
};

export async function getDashboard(deps: Deps, o: { days: number }): Promise<Dashboard> {
  const now = deps.clock.now();
  const from = rangeStart(now, o.days);
  const db = deps.db;
  const q = DASHBOARD_QUERIES;
  // Sequential on purpose: PGlite is one connection, and on PostgreSQL these are short.
  const revenue = await query<{
    g_day: number;
    g_plan: number;
    g_router: number;
    day: string | null;
    plan_id: number | null;
    router_id: number | null;
    payment_account_id: number | null;
    kes: unknown;
    n: number;
  }>(db, q.revenue(from));
  const names = await query<{ kind: string; id: number; name: string }>(db, q.names());
  const active = await query<{ router_id: number | null; name: string | null; n: number }>(
    db,
    q.activeSessions(),
  );
  const sessionsPerDay = await query<{ day: string; n: number }>(db, q.sessionsPerDay(from));
  const payments = await query<{
    status: string;
    result_code: string | null;
    description: string | null;
    n: number;
  }>(db, q.payments(from));
  const tta = await query<{ n: number; p50: unknown; p90: unknown; max: unknown }>(db, q.timeToAccess(from));

  const nameOf = new Map(names.map((r) => [`${r.kind}:${r.id}`, r.name]));
  const perDay = revenue.filter((r) => Number(r.g_day) === 0);
  const perPlan = revenue.filter((r) => Number(r.g_day) === 1 && Number(r.g_plan) === 0);
  const perRouter = revenue.filter(
    (r) => Number(r.g_day) === 1 && Number(r.g_plan) === 1 && Number(r.g_router) === 0,
  );
  const perAccount = revenue.filter(
    (r) => Number(r.g_day) === 1 && Number(r.g_plan) === 1 && Number(r.g_router) === 1,
  );
  const byKes = (a: { kes: unknown }, b: { kes: unknown }) => Number(b.kes) - Number(a.kes);

  const today = eatDate(now);
  const byStatus: Record<string, number> = { pending: 0, paid: 0, failed: 0, cancelled: 0, expired: 0 };
  const codes = new Map<string, { description: string | null; count: number }>();
  for (const p of payments) {
    byStatus[p.status] = (byStatus[p.status] ?? 0) + Number(p.n);
    if (p.result_code === null) continue;
    const c = codes.get(p.result_code) ?? { description: null, count: 0 };
    c.count += Number(p.n);
    c.description ??= p.description;
    codes.set(p.result_code, c);
  }
  const settled = byStatus.paid! + byStatus.failed! + byStatus.cancelled! + byStatus.expired!;
  const num = (v: unknown) => (v === null || v === undefined ? null : Math.round(Number(v) * 10) / 10);
  const days = fillDays(
    from,
    now,
    perDay as { day: string; kes: unknown; n: number }[],
    (r) => ({ kes: Number(r.kes), payments: Number(r.n) }),
    {
      kes: 0,
      payments: 0,
    },
  );
  return {
    from: from.toISOString(),
    to: now.toISOString(),
    revenue: {
      totalKes: days.reduce((a, d) => a + d.kes, 0),
      todayKes: days.find((d) => d.day === today)?.kes ?? 0,
      payments: days.reduce((a, d) => a + d.payments, 0),
    },
    revenuePerDay: days,
    revenuePerPlan: perPlan.sort(byKes).map((r) => ({
      planId: r.plan_id!,
      name: nameOf.get(`plan:${r.plan_id}`) ?? `Plan ${r.plan_id}`,
      kes: Number(r.kes),
      payments: Number(r.n),
    })),
    revenuePerRouter: perRouter.sort(byKes).map((r) => ({
      routerId: r.router_id,
      name:
        r.router_id === null
          ? 'No router (cash / vouchers)'
          : (nameOf.get(`router:${r.router_id}`) ?? `Router ${r.router_id}`),
      kes: Number(r.kes),
      payments: Number(r.n),
    })),
    revenuePerAccount: perAccount.sort(byKes).map((r) => ({
      accountId: r.payment_account_id,
      name:
        r.payment_account_id === null
          ? 'Cash'
          : (nameOf.get(`account:${r.payment_account_id}`) ?? `Account ${r.payment_account_id}`),
      kes: Number(r.kes),
      payments: Number(r.n),
    })),
    sessions: {
      active: active.reduce((a, r) => a + Number(r.n), 0),
      activePerRouter: active.map((r) => ({
        routerId: r.router_id,
        name: r.name ?? 'Unknown router',
        active: Number(r.n),
      })),
      perDay: fillDays(from, now, sessionsPerDay, (r) => ({ sessions: Number(r.n) }), { sessions: 0 }),
    },
    payments: {
      byStatus,
      successRate: settled ? Math.round((byStatus.paid! / settled) * 1000) / 1000 : null,
      resultCodes: [...codes.entries()]
        .map(([resultCode, c]) => ({
          resultCode,
          meaning: staffMeaning(resultCode) ?? c.description,
          description: c.description,
          count: c.count,
        }))
        .sort((a, b) => b.count - a.count)
        .slice(0, 20),
    },
    timeToAccess: {
      samples: Number(tta[0]?.n ?? 0),
      p50: num(tta[0]?.p50),
      p90: num(tta[0]?.p90),
      max: num(tta[0]?.max),
    },
  };
}

/** One entry per day of the range, zero where nothing happened, so charts have no gaps. */
function fillDays<R extends { day: string }, T>(
  from: Date,
  now: Date,
  rows: R[],
  map: (r: R) => T,
  empty: T,
): ({ day: string } & T)[] {
  const byDay = new Map(rows.map((r) => [r.day, r]));
  const out: ({ day: string } & T)[] = [];
  for (let t = from.getTime(); t <= now.getTime(); t += DAY_MS) {
    const day = eatDate(new Date(t));
    const r = byDay.get(day);
    out.push({ day, ...(r ? map(r) : empty) });
  }
  return out;
}
