/**
 * Dashboard figures for the last N days, by East Africa Time day (UTC+3, no daylight saving).
 * Each figure is one indexed query; bench/admin-dashboard.ts times them on a million purchases.
 */
import { sql } from 'drizzle-orm';
import type { Deps } from '../../app/deps.ts';
import { query } from '../../db/open.ts';

const DAY = 86_400_000;
const EAT = 3 * 3600_000;

/** Midnight EAT `days - 1` days before now: the range covers today and the days before it. */
export function rangeStart(now: Date, days: number): Date {
  const todayEat = Math.floor((now.getTime() + EAT) / DAY) * DAY - EAT;
  return new Date(todayEat - (days - 1) * DAY);
}

const eatDay = (col: string) =>
  sql.raw(`to_char((${col} AT TIME ZONE 'UTC') + interval '3 hours', 'YYYY-MM-DD')`);

export interface Dashboard {
  from: string;
  to: string;
  revenue: { totalKes: number; todayKes: number; payments: number };
  revenuePerDay: { day: string; kes: number; payments: number }[];
  revenuePerPlan: { planId: number; name: string; kes: number; payments: number }[];
  revenuePerRouter: { routerId: number | null; name: string; kes: number; payments: number }[];
  sessions: {
    active: number;
    activePerRouter: { routerId: number | null; name: string; active: number }[];
    perDay: { day: string; sessions: number }[];
  };
  payments: {
    byStatus: Record<string, number>;
    /** paid ÷ (paid + failed + cancelled + expired) of STK pushes in the range; null when none settled. */
    successRate: number | null;
    resultCodes: { resultCode: string; description: string | null; count: number }[];
  };
  /** Seconds from payment to the first session of the code it paid for (M-Pesa, not vouchers). */
  timeToAccess: { samples: number; p50: number | null; p90: number | null; max: number | null };
}

export const DASHBOARD_QUERIES = {
  revenuePerDay: (from: Date) =>
    sql`SELECT ${eatDay('paid_at')} AS day, sum(coalesce(paid_amount_kes, amount_kes))::bigint AS kes, count(*)::int AS n
        FROM purchases WHERE status = 'paid' AND paid_at >= ${from} GROUP BY 1 ORDER BY 1`,
  revenuePerPlan: (from: Date) =>
    sql`SELECT x.plan_id, pl.name, x.kes, x.n FROM (
          SELECT plan_id, sum(coalesce(paid_amount_kes, amount_kes))::bigint AS kes, count(*)::int AS n
          FROM purchases WHERE status = 'paid' AND paid_at >= ${from} GROUP BY plan_id) x
        JOIN plans pl ON pl.id = x.plan_id ORDER BY x.kes DESC`,
  revenuePerRouter: (from: Date) =>
    sql`SELECT x.router_id, r.name, x.kes, x.n FROM (
          SELECT router_id, sum(coalesce(paid_amount_kes, amount_kes))::bigint AS kes, count(*)::int AS n
          FROM purchases WHERE status = 'paid' AND paid_at >= ${from} GROUP BY router_id) x
        LEFT JOIN routers r ON r.id = x.router_id ORDER BY x.kes DESC`,
  activeSessions: () =>
    sql`SELECT s.router_id, r.name, count(*)::int AS n FROM sessions s LEFT JOIN routers r ON r.id = s.router_id
        WHERE s.status = 'active' GROUP BY s.router_id, r.name ORDER BY n DESC`,
  sessionsPerDay: (from: Date) =>
    sql`SELECT ${eatDay('started_at')} AS day, count(*)::int AS n FROM sessions
        WHERE started_at >= ${from} GROUP BY 1 ORDER BY 1`,
  paymentStatus: (from: Date) =>
    sql`SELECT status, count(*)::int AS n FROM purchases
        WHERE channel = 'stk' AND created_at >= ${from} GROUP BY status`,
  resultCodes: (from: Date) =>
    sql`SELECT result_code, max(result_desc) AS description, count(*)::int AS n FROM purchases
        WHERE channel = 'stk' AND created_at >= ${from} AND result_code IS NOT NULL
        GROUP BY result_code ORDER BY n DESC LIMIT 20`,
  // Sessions that started before the payment belong to an earlier purchase the code was extended
  // from; a minute of slack covers router and server clocks that differ a little.
  timeToAccess: (from: Date) =>
    sql`SELECT count(*)::int AS n,
               percentile_cont(0.5) WITHIN GROUP (ORDER BY secs) AS p50,
               percentile_cont(0.9) WITHIN GROUP (ORDER BY secs) AS p90,
               max(secs) AS max
        FROM (SELECT greatest(0, extract(epoch FROM (f.first_at - p.paid_at))) AS secs
              FROM purchases p
              CROSS JOIN LATERAL (
                SELECT min(s.started_at) AS first_at FROM sessions s
                WHERE s.access_code_id = p.access_code_id AND s.started_at >= p.paid_at - interval '1 minute'
              ) f
              WHERE p.status = 'paid' AND p.paid_at >= ${from} AND p.purpose = 'access'
                AND p.channel <> 'cash' AND f.first_at IS NOT NULL) t`,
};

export async function getDashboard(deps: Deps, o: { days: number }): Promise<Dashboard> {
  const now = deps.clock.now();
  const from = rangeStart(now, o.days);
  const db = deps.db;
  const q = DASHBOARD_QUERIES;
  // Sequential on purpose: PGlite is one connection, and on PostgreSQL these are short.
  const perDay = await query<{ day: string; kes: unknown; n: number }>(db, q.revenuePerDay(from));
  const perPlan = await query<{ plan_id: number; name: string; kes: unknown; n: number }>(
    db,
    q.revenuePerPlan(from),
  );
  const perRouter = await query<{ router_id: number | null; name: string | null; kes: unknown; n: number }>(
    db,
    q.revenuePerRouter(from),
  );
  const active = await query<{ router_id: number | null; name: string | null; n: number }>(
    db,
    q.activeSessions(),
  );
  const sessionsPerDay = await query<{ day: string; n: number }>(db, q.sessionsPerDay(from));
  const statuses = await query<{ status: string; n: number }>(db, q.paymentStatus(from));
  const codes = await query<{ result_code: string; description: string | null; n: number }>(
    db,
    q.resultCodes(from),
  );
  const tta = await query<{ n: number; p50: unknown; p90: unknown; max: unknown }>(db, q.timeToAccess(from));

  const today = new Date(Math.floor((now.getTime() + EAT) / DAY) * DAY).toISOString().slice(0, 10);
  const byStatus: Record<string, number> = { pending: 0, paid: 0, failed: 0, cancelled: 0, expired: 0 };
  for (const s of statuses) byStatus[s.status] = Number(s.n);
  const settled = byStatus.paid! + byStatus.failed! + byStatus.cancelled! + byStatus.expired!;
  const num = (v: unknown) => (v === null || v === undefined ? null : Math.round(Number(v) * 10) / 10);
  const days = fillDays(from, now, perDay, (r) => ({ kes: Number(r.kes), payments: Number(r.n) }), {
    kes: 0,
    payments: 0,
  });
  return {
    from: from.toISOString(),
    to: now.toISOString(),
    revenue: {
      totalKes: days.reduce((a, d) => a + d.kes, 0),
      todayKes: days.find((d) => d.day === today)?.kes ?? 0,
      payments: days.reduce((a, d) => a + d.payments, 0),
    },
    revenuePerDay: days,
    revenuePerPlan: perPlan.map((r) => ({
      planId: r.plan_id,
      name: r.name,
      kes: Number(r.kes),
      payments: Number(r.n),
    })),
    revenuePerRouter: perRouter.map((r) => ({
      routerId: r.router_id,
      name: r.name ?? (r.router_id === null ? 'No router (cash / vouchers)' : `Router ${r.router_id}`),
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
      resultCodes: codes.map((c) => ({
        resultCode: c.result_code,
        description: c.description,
        count: Number(c.n),
      })),
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
  for (let t = from.getTime() + EAT; t <= now.getTime() + EAT; t += DAY) {
    const day = new Date(t).toISOString().slice(0, 10);
    const r = byDay.get(day);
    out.push({ day, ...(r ? map(r) : empty) });
  }
  return out;
}
