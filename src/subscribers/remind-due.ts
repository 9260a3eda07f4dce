/**
 * The `subscribers.remind` job (recurring): texts subscribers whose due date is `ppp_remind_days`
 * days away (default 3) and again on the due day, with the amount and how to pay (Paybill and
 * account number, and the pay page); on the due day, a subscriber who opted in to auto-renew also
 * gets an STK push for the amount due.
 *
 * Days are East Africa Time calendar days. Each notice is claimed by inserting its row in
 * `subscriber_notices` (subscriber, due date, kind) in the same transaction as its SMS, so however
 * often the job runs, on however many nodes, a subscriber gets each notice once per due date. A
 * payment moves the due date, so the next period has its own notices. A run that misses a day
 * (the worker was down) does not send late "in 3 days" texts for what is now 2 days away: the
 * window is the calendar day.
 */
import { sql } from 'drizzle-orm';
import type { Deps } from '../app/deps.ts';
import { DEFAULT_REMIND_DAYS, REMIND_DAYS_SETTING } from './ppp-rules.ts';
import { loadBranding } from '../branding/index.ts';
import { asDate, query } from '../db/open.ts';
import { DAY_MS, startOfEatDay } from '../lib/eat-time.ts';
import { isOptedOut, queueSms, renderSms } from '../notify/index.ts';
import { startPurchase } from '../payments/index.ts';
import { getSetting } from '../settings/index.ts';
import { amountDue, subscriberForPaying } from './amount-due.ts';

export const REMIND_EVERY_MS = 15 * 60_000;

type Kind = 'before' | 'due_day' | 'auto_renew';

export interface RemindRun {
  before: number;
  dueDay: number;
  autoRenew: number;
}

/** The setting, when it is a whole number of days from 0 (off) to 30; otherwise the default. */
async function remindDays(deps: Deps): Promise<number> {
  const v = await getSetting<unknown>(deps.db, REMIND_DAYS_SETTING);
  const n = typeof v === 'string' ? Number(v) : v;
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= 30 ? n : DEFAULT_REMIND_DAYS;
}

export async function remindDue(deps: Deps): Promise<RemindRun> {
  const now = deps.clock.now();
  const today = startOfEatDay(now);
  const days = await remindDays(deps);
  const run: RemindRun = { before: 0, dueDay: 0, autoRenew: 0 };
  const account = await deps.accounts.get(null);
  const pay = account.type !== 'till' && account.shortcode ? `Paybill ${account.shortcode}` : null;

  const dueIn = (from: Date) =>
    query<{ id: number; auto_renew: boolean; due_at: string | Date }>(
      deps.db,
      sql`SELECT id, auto_renew, due_at FROM subscribers
           WHERE state IN ('active', 'expired') AND due_at >= ${from}
             AND due_at < ${new Date(from.getTime() + DAY_MS)}
           ORDER BY id`,
    );
  if (days > 0) {
    for (const s of await dueIn(new Date(today.getTime() + days * DAY_MS)))
      if (await textOnce(deps, s.id, asDate(s.due_at), 'before', pay)) run.before++;
  }
  for (const s of await dueIn(today)) {
    if (await textOnce(deps, s.id, asDate(s.due_at), 'due_day', pay)) run.dueDay++;
    if (s.auto_renew && (await pushOnce(deps, s.id, asDate(s.due_at)))) run.autoRenew++;
  }
  return run;
}

/** Claims the notice; true when this call is the one that claimed it. */
async function claim(conn: Deps['db'], subscriberId: number, dueAt: Date, kind: Kind, now: Date) {
  const rows = await query(
    conn,
    sql`INSERT INTO subscriber_notices (subscriber_id, due_at, kind, created_at)
        VALUES (${subscriberId}, ${dueAt}, ${kind}, ${now})
        ON CONFLICT DO NOTHING RETURNING subscriber_id`,
  );
  return rows.length > 0;
}

/**
 * The due date the run selected the subscriber by, read again: a payment that lands between the
 * selection and the notice moves it, and the notice (or push) would then be for next period's
 * date, sent at once. Such a subscriber has nothing due today.
 */
const stillDue = (s: { dueAt: Date } | null, selected: Date) =>
  s !== null && s.dueAt.getTime() === selected.getTime();

async function textOnce(
  deps: Deps,
  id: number,
  selected: Date,
  kind: 'before' | 'due_day',
  pay: string | null,
) {
  return deps.db.transaction(async (tx) => {
    const now = deps.clock.now();
    const s = await subscriberForPaying(tx, id);
    if (!s || !stillDue(s, selected)) return false;
    if (!s.phone || (await isOptedOut(tx, s.phone))) return false;
    if (!(await claim(tx, s.id, s.dueAt, kind, now))) return false;
    const lang = s.lang ?? 'en';
    const days = Math.round((startOfEatDay(s.dueAt).getTime() - startOfEatDay(now).getTime()) / DAY_MS);
    const body = renderSms('due_reminder', lang, {
      business: (await loadBranding(tx)).name,
      days: Math.max(0, days),
      amountKes: amountDue(s, now),
      account: s.accountNo,
      pay,
      url: `${deps.config.publicUrl}/pay?account=${s.accountNo}`,
    });
    await queueSms(tx, deps, { to: s.phone, body, template: 'due_reminder' });
    return true;
  });
}

/**
 * The auto-renew push: claimed first (committed), then sent, so a crash between the two loses a
 * push rather than sending two; the subscriber still has the reminder text and the pay page.
 */
async function pushOnce(deps: Deps, id: number, selected: Date): Promise<boolean> {
  const s = await subscriberForPaying(deps.db, id);
  if (!s?.phone || !stillDue(s, selected)) return false;
  if (!(await claim(deps.db, s.id, s.dueAt, 'auto_renew', deps.clock.now()))) return false;
  try {
    const p = await startPurchase(deps, { subscriberId: s.id, phone: s.phone, lang: s.lang ?? 'en' });
    await deps.db.execute(
      sql`UPDATE subscriber_notices SET purchase_id = ${p.id}
           WHERE subscriber_id = ${s.id} AND due_at = ${s.dueAt} AND kind = 'auto_renew'`,
    );
    return true;
  } catch (e) {
    // A push already waiting on the phone, a number M-Pesa refuses: not retried today.
    deps.log.warn({ err: e, subscriber: s.id }, 'auto-renew push not sent');
    return false;
  }
}
