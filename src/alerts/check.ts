/**
 * The alert check (job `alerts.check`, every minute): compare what is wrong now with the episodes
 * on record, and tell the owner once when one starts and once when it ends.
 *
 * Quiet hours (East Africa time): a new alert is HELD and sent when quiet hours end, if it is still
 * wrong then; one that recovered meanwhile is DROPPED (nobody needs to wake up to "it broke and
 * came back"). A recovery of an alert already sent is held likewise and sent after.
 *
 * Messages are durable jobs written on the same transaction as the state change (SMS through the
 * notify feature, the webhook through `alerts.webhook`), so a crash neither loses nor repeats one.
 */
import { sql } from 'drizzle-orm';
import type { Deps } from '../app/deps.ts';
import { asDate, type Conn, query } from '../db/open.ts';
import { eatWallClock } from '../lib/eat-time.ts';
import { queueSms } from '../notify/index.ts';
import { ALERT_TITLES, type AlertName, currentProblems, type Problem } from './conditions.ts';
import { type AlertEvent, WEBHOOK_JOB } from './job-kinds.ts';
import { type AlertSettings, loadAlertSettings } from './settings.ts';

interface StateRow {
  alert: AlertName;
  subject: string;
  since: unknown;
  detail: string;
  notified_at: unknown;
  recovered_at: unknown;
  recovery_due: boolean;
}

export type { AlertEvent } from './job-kinds.ts';

/** Is `at` inside the quiet hours (EAT)? `from > to` spans midnight. */
export function inQuietHours(at: Date, q: AlertSettings['quietHours']): boolean {
  if (!q || q.from === q.to) return false;
  const m = (s: string) => Number(s.slice(0, 2)) * 60 + Number(s.slice(3, 5));
  const w = eatWallClock(at);
  const t = w.getUTCHours() * 60 + w.getUTCMinutes();
  const [f, to] = [m(q.from), m(q.to)];
  return f < to ? t >= f && t < to : t >= f || t < to;
}

const keyOf = (a: { alert: string; subject: string }) => `${a.alert}|${a.subject}`;

export async function checkAlerts(
  deps: Deps,
): Promise<{ fired: number; recovered: number; dropped: number }> {
  const settings = await loadAlertSettings(deps);
  const now = deps.clock.now();
  const quiet = inQuietHours(now, settings.quietHours);
  const problems = new Map((await currentProblems(deps, settings, now)).map((p) => [keyOf(p), p]));
  const tally = { fired: 0, recovered: 0, dropped: 0 };
  await deps.db.transaction(async (tx) => {
    // One checker at a time across nodes: the others wait and then see its result.
    await tx.execute(sql`SELECT pg_advisory_xact_lock(7302216)`);
    const states = await query<StateRow>(tx, sql`SELECT * FROM alert_state`);
    const known = new Set(states.map(keyOf));
    for (const p of problems.values()) {
      if (known.has(keyOf(p))) continue;
      await tx.execute(
        sql`INSERT INTO alert_state (alert, subject, since, detail) VALUES (${p.alert}, ${p.subject}, ${now}, ${p.detail})`,
      );
      states.push({ ...p, since: now, notified_at: null, recovered_at: null, recovery_due: false });
    }
    for (const s of states) {
      const p = problems.get(keyOf(s));
      const where = sql`alert = ${s.alert} AND subject = ${s.subject}`;
      const since = asDate(s.since)!;
      if (p) {
        // Wrong again before a held recovery went out: the same episode goes on, nothing to say.
        if (s.recovered_at)
          await tx.execute(
            sql`UPDATE alert_state SET recovered_at = NULL, recovery_due = false WHERE ${where}`,
          );
        if (!s.notified_at && !quiet) {
          await tell(tx, deps, settings, { ...p, since }, 'fired', now);
          await tx.execute(
            sql`UPDATE alert_state SET notified_at = ${now}, detail = ${p.detail} WHERE ${where}`,
          );
          tally.fired++;
        }
        continue;
      }
      if (!s.notified_at) {
        // Never announced (it began and ended within quiet hours): dropped, only recorded.
        await record(tx, s.alert, s.subject, 'dropped', s.detail, now);
        await tx.execute(sql`DELETE FROM alert_state WHERE ${where}`);
        tally.dropped++;
      } else if (quiet) {
        if (!s.recovered_at)
          await tx.execute(
            sql`UPDATE alert_state SET recovered_at = ${now}, recovery_due = true WHERE ${where}`,
          );
      } else {
        await tell(
          tx,
          deps,
          settings,
          { alert: s.alert, subject: s.subject, detail: s.detail, since },
          'recovered',
          now,
        );
        await tx.execute(sql`DELETE FROM alert_state WHERE ${where}`);
        tally.recovered++;
      }
    }
  });
  return tally;
}

async function record(tx: Conn, alert: string, subject: string, kind: string, message: string, at: Date) {
  await tx.execute(
    sql`INSERT INTO alert_events (alert, subject, kind, message, at) VALUES (${alert}, ${subject}, ${kind}, ${message}, ${at})`,
  );
}

async function tell(
  tx: Conn,
  deps: Deps,
  settings: AlertSettings,
  p: Problem & { since: Date },
  event: 'fired' | 'recovered',
  now: Date,
) {
  const title = ALERT_TITLES[p.alert];
  const message =
    event === 'fired'
      ? `Wavu alert: ${p.detail}`
      : `Wavu recovered: ${title}${p.subject ? ` (${p.subject})` : ''} is fine again (since ${eatWallClock(p.since).toISOString().slice(11, 16)} EAT).`;
  await record(tx, p.alert, p.subject, event, message, now);
  if (settings.phone)
    await queueSms(tx, deps, { to: settings.phone, body: message, template: `alert.${event}` });
  if (settings.webhookUrl) {
    const body: AlertEvent = {
      event,
      alert: p.alert,
      title,
      subject: p.subject,
      message,
      since: p.since.toISOString(),
      at: now.toISOString(),
    };
    await deps.enqueue(tx, WEBHOOK_JOB, body);
  }
}

/** Recent alert messages for the dashboard, newest first, and what is wrong now. */
export async function alertOverview(deps: Deps) {
  const [open, events] = await Promise.all([
    query<StateRow>(deps.db, sql`SELECT * FROM alert_state ORDER BY since`),
    query<{ id: number; alert: string; subject: string; kind: string; message: string; at: unknown }>(
      deps.db,
      sql`SELECT id, alert, subject, kind, message, at FROM alert_events ORDER BY at DESC, id DESC LIMIT 50`,
    ),
  ]);
  return {
    open: open.map((s) => ({
      alert: s.alert,
      title: ALERT_TITLES[s.alert] ?? s.alert,
      subject: s.subject,
      detail: s.detail,
      since: asDate(s.since),
      notified: s.notified_at !== null,
    })),
    events: events.map((e) => ({ ...e, id: Number(e.id), at: asDate(e.at) })),
  };
}
