/**
 * What is wrong right now, one function per alert, each reading only the database (the truth every
 * node shares), so any worker can run the check and all agree. Each returns the problems it sees:
 * a subject (a router's name, or '' for the whole site) and a sentence for the owner.
 */
import { sql } from 'drizzle-orm';
import type { Deps } from '../app/deps.ts';
import { asDate, query } from '../db/open.ts';
import { eatWallClock } from '../lib/eat-time.ts';
import type { AlertSettings } from './settings.ts';

export const ALERTS = [
  'routerOffline',
  'noPayments',
  'mpesaFailing',
  'callbacksMissing',
  'deadJobs',
  'smsFailing',
] as const;
export type AlertName = (typeof ALERTS)[number];

export interface Problem {
  alert: AlertName;
  subject: string;
  detail: string;
}

const MIN = 60_000;
const HOUR = 3_600_000;
const WEEK = 7 * 24 * HOUR;
/** A callback normally follows its push within seconds; allow this long before counting it missing. */
export const CALLBACK_GRACE_MS = 2 * MIN;

const hhmm = (d: Date) => eatWallClock(d).toISOString().slice(11, 16);
const ago = (now: Date, ms: number) => new Date(now.getTime() - ms);
const dateOrNull = (v: unknown) => (v === null || v === undefined ? null : asDate(v));

async function routerOffline(deps: Deps, s: AlertSettings['routerOffline'], now: Date): Promise<Problem[]> {
  const rows = await query<{ name: string; last: unknown }>(
    deps.db,
    sql`SELECT name, GREATEST(last_seen_at, agent_polled_at, opennds_polled_at) AS last FROM routers
        WHERE enabled AND status = 'down'
          AND COALESCE(GREATEST(last_seen_at, agent_polled_at, opennds_polled_at), created_at) < ${ago(now, s.minutes * MIN)}
        ORDER BY name`,
  );
  return rows.map((r) => {
    const last = dateOrNull(r.last);
    return {
      alert: 'routerOffline' as const,
      subject: r.name,
      detail: last
        ? `Router ${r.name} has been offline since ${hhmm(last)} EAT (over ${s.minutes} min).`
        : `Router ${r.name} has never answered Wavu (over ${s.minutes} min).`,
    };
  });
}

/**
 * Silence is news only at a time that normally sells: the baseline is the paid purchases in the
 * same window of the week (same weekday, same hours) in each of the last 4 weeks, averaged.
 */
async function noPayments(deps: Deps, s: AlertSettings['noPayments'], now: Date): Promise<Problem[]> {
  const w = s.hours * HOUR;
  const weeks = [1, 2, 3, 4].map(
    (k) => sql`(paid_at >= ${ago(now, k * WEEK + w)} AND paid_at < ${ago(now, k * WEEK)})`,
  );
  const [r] = await query<{ now_n: number; past_n: number }>(
    deps.db,
    sql`SELECT count(*) FILTER (WHERE paid_at >= ${ago(now, w)} AND paid_at <= ${now})::int AS now_n,
               count(*) FILTER (WHERE ${sql.join(weeks, sql` OR `)})::int AS past_n
        FROM purchases WHERE status = 'paid' AND paid_at >= ${ago(now, 4 * WEEK + w)}`,
  );
  const expected = Number(r?.past_n ?? 0) / 4;
  if (Number(r?.now_n ?? 0) > 0 || expected < s.minExpected) return [];
  return [
    {
      alert: 'noPayments',
      subject: '',
      detail: `No payment in the last ${s.hours} h; this time of the week usually has about ${Math.round(expected)}.`,
    },
  ];
}

/** Pushes refused (bad credentials, token refused) with no accepted push since the last refusal. */
async function mpesaFailing(deps: Deps, s: AlertSettings['mpesaFailing'], now: Date): Promise<Problem[]> {
  const [r] = await query<{ n: number; last_fail: unknown; last_ok: unknown; why: string | null }>(
    deps.db,
    sql`SELECT count(*) FILTER (WHERE status = 'failed' AND result_code = 'push_failed')::int AS n,
               max(created_at) FILTER (WHERE status = 'failed' AND result_code = 'push_failed') AS last_fail,
               max(created_at) FILTER (WHERE checkout_request_id IS NOT NULL) AS last_ok,
               (array_agg(result_desc ORDER BY created_at DESC) FILTER (WHERE result_code = 'push_failed'))[1] AS why
        FROM purchases WHERE channel = 'stk' AND created_at >= ${ago(now, s.minutes * MIN)}`,
  );
  const n = Number(r?.n ?? 0);
  const lastFail = dateOrNull(r?.last_fail);
  const lastOk = dateOrNull(r?.last_ok);
  if (n < s.failures || (lastOk && lastFail && lastOk > lastFail)) return [];
  return [
    {
      alert: 'mpesaFailing',
      subject: '',
      detail: `M-Pesa refused ${n} payment prompts in ${s.minutes} min${r?.why ? ` (${r.why})` : ''}: check the M-Pesa settings.`,
    },
  ];
}

/** Pushes Daraja accepted whose callbacks never came (none of them, past the grace period). */
async function callbacksMissing(
  deps: Deps,
  s: AlertSettings['callbacksMissing'],
  now: Date,
): Promise<Problem[]> {
  const [r] = await query<{ pushes: number; answered: number }>(
    deps.db,
    sql`SELECT count(*)::int AS pushes,
               count(*) FILTER (WHERE EXISTS (SELECT 1 FROM callback_inbox i
                                               WHERE i.kind = 'stk' AND i.checkout_request_id = p.checkout_request_id))::int AS answered
        FROM purchases p
        WHERE p.channel = 'stk' AND p.checkout_request_id IS NOT NULL
          AND p.created_at >= ${ago(now, s.minutes * MIN)} AND p.created_at < ${ago(now, CALLBACK_GRACE_MS)}`,
  );
  const pushes = Number(r?.pushes ?? 0);
  if (pushes < s.pushes || Number(r?.answered ?? 0) > 0) return [];
  return [
    {
      alert: 'callbacksMissing',
      subject: '',
      detail: `M-Pesa accepted ${pushes} payment prompts in ${s.minutes} min but sent no result for any: check PUBLIC_URL and that Daraja can reach it.`,
    },
  ];
}

async function deadJobs(deps: Deps, s: AlertSettings['deadJobs'], now: Date): Promise<Problem[]> {
  const rows = await query<{ kind: string; n: number }>(
    deps.db,
    sql`SELECT kind, count(*)::int AS n FROM jobs WHERE status = 'dead' AND finished_at >= ${ago(now, s.minutes * MIN)}
        GROUP BY kind ORDER BY kind`,
  );
  if (!rows.length) return [];
  const list = rows.map((r) => `${r.n} ${r.kind}`).join(', ');
  return [{ alert: 'deadJobs', subject: '', detail: `Background jobs gave up after all retries: ${list}.` }];
}

async function smsFailing(deps: Deps, s: AlertSettings['smsFailing'], now: Date): Promise<Problem[]> {
  const [r] = await query<{ n: number; last_fail: unknown; last_ok: unknown; why: string | null }>(
    deps.db,
    sql`SELECT count(*) FILTER (WHERE status = 'failed' AND failed_at >= ${ago(now, s.minutes * MIN)})::int AS n,
               max(failed_at) AS last_fail, max(sent_at) AS last_ok,
               (array_agg(last_error ORDER BY failed_at DESC NULLS LAST) FILTER (WHERE status = 'failed'))[1] AS why
        FROM sms_messages WHERE created_at >= ${ago(now, s.minutes * MIN + 24 * HOUR)}`,
  );
  const n = Number(r?.n ?? 0);
  const lastFail = dateOrNull(r?.last_fail);
  const lastOk = dateOrNull(r?.last_ok);
  if (n < s.failures || (lastOk && lastFail && lastOk > lastFail)) return [];
  return [
    {
      alert: 'smsFailing',
      subject: '',
      detail: `${n} SMS failed to send in ${s.minutes} min${r?.why ? ` (${r.why})` : ''}: customers are not getting their codes.`,
    },
  ];
}

const CHECKS = { routerOffline, noPayments, mpesaFailing, callbacksMissing, deadJobs, smsFailing } as const;

/** Every problem of every alert that is switched on. */
export async function currentProblems(deps: Deps, settings: AlertSettings, now: Date): Promise<Problem[]> {
  const out: Problem[] = [];
  for (const name of ALERTS) {
    const s = settings[name];
    if (!s.enabled) continue;
    out.push(...(await (CHECKS[name] as (d: Deps, s: unknown, n: Date) => Promise<Problem[]>)(deps, s, now)));
  }
  return out;
}

export const ALERT_TITLES: Record<AlertName, string> = {
  routerOffline: 'Router offline',
  noPayments: 'No payments',
  mpesaFailing: 'M-Pesa failing',
  callbacksMissing: 'M-Pesa results not arriving',
  deadJobs: 'Jobs failing',
  smsFailing: 'SMS failing',
};
