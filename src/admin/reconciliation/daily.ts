/**
 * The daily reconciliation (job `reports.reconciliation`, checked hourly): once per East Africa
 * day, from 06:00 EAT, reconcile yesterday and, when something is wrong, text the owner a short
 * summary. The day done is kept in a setting, claimed on the transaction that queues the SMS, so
 * several workers (or a retried job) send it once.
 */
import type { Deps } from '../../app/deps.ts';
import { ownerPhone } from '../../alerts/index.ts';
import { loadBranding } from '../../branding/index.ts';
import { DAY_MS, eatDate, eatWallClock } from '../../lib/eat-time.ts';
import { queueSms } from '../../notify/index.ts';
import { claimSetting, getSetting } from '../../settings/index.ts';
import { reconciliationReport, smsSummary } from './report.ts';

const DONE_KEY = 'reconciliation.daily';
/** Late enough that yesterday's late callbacks and the night's reconcile have settled. */
const RUN_FROM_EAT_HOUR = 6;

export async function dailyReconciliation(
  deps: Deps,
): Promise<{ date: string; open: number; sms: boolean } | null> {
  const now = deps.clock.now();
  if (eatWallClock(now).getUTCHours() < RUN_FROM_EAT_HOUR) return null;
  const day = eatDate(new Date(now.getTime() - DAY_MS));
  if ((await getSetting<{ date?: string }>(deps.db, DONE_KEY))?.date === day) return null;
  const report = await reconciliationReport(deps, day);
  const phone = await ownerPhone(deps);
  const text = smsSummary(report, (await loadBranding(deps.db)).name);
  return deps.db.transaction(async (tx) => {
    // Claim the day; a second run that got here too finds it claimed and sends nothing.
    if (!(await claimSetting(tx, now, DONE_KEY, { date: day, open: report.open }, 'date'))) return null;
    const sms = Boolean(text && phone);
    if (text && phone) await queueSms(tx, deps, { to: phone, body: text, template: 'reconciliation' });
    deps.log.info({ date: day, open: report.open, sms }, 'daily reconciliation done');
    return { date: day, open: report.open, sms };
  });
}
