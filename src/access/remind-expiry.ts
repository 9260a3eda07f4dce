/**
 * The `access.remind` job: text the customer that their time is about to run out, with how to buy
 * more. Scheduled by the database when a code's deadline is set or moved (migration 1800), for
 * plans with a reminder, at the deadline minus the plan's minutes.
 *
 * When it runs everything is checked again, since any of it may have changed since: the code is
 * still active, its deadline is still the one the job was scheduled for (an extension schedules a
 * new job and this one does nothing), it has not already ended, the plan still reminds, there is a
 * phone, and that phone has not opted out. Sending once: the claim (`reminded_for` = this deadline)
 * and the SMS row are written in one transaction, on the code's row lock, so a duplicate or
 * concurrent job for the same deadline finds it claimed and queues nothing.
 */
import { sql } from 'drizzle-orm';
import type { Deps } from '../app/deps.ts';
import { asDate, query } from '../db/open.ts';
import { loadBranding } from '../branding/index.ts';
import { normalizePhone } from '../lib/phone.ts';
import { isOptedOut, queueSms, renderSms } from '../notify/index.ts';

export type RemindOutcome = 'sent' | 'not_live' | 'moved' | 'already' | 'plan_off' | 'no_phone' | 'opted_out';

interface Row {
  status: string;
  purchase_id: string | null;
  expires_at: unknown;
  reminded_for: unknown;
  phone: string | null;
  remind_minutes: number | null;
  recipient_phone: string | null;
  lang: 'en' | 'sw' | null;
}

export async function remindExpiry(
  deps: Deps,
  p: { accessCodeId: string; expiresAt: number },
): Promise<RemindOutcome> {
  // How to pay, read before the transaction: the live account settings use their own connection.
  const [acc] = await query<{ payment_account_id: number | null }>(
    deps.db,
    sql`SELECT pu.payment_account_id FROM access_codes a JOIN purchases pu ON pu.id = a.purchase_id
         WHERE a.id = ${p.accessCodeId}`,
  );
  const account = await deps.accounts.get(acc?.payment_account_id ?? null);
  const number = account.type === 'till' ? (account.till ?? account.shortcode) : account.shortcode;
  const pay = number ? `${account.type === 'till' ? 'Till' : 'Paybill'} ${number}` : null;
  return deps.db.transaction(async (tx) => {
    const now = deps.clock.now();
    const [c] = await query<Row>(
      tx,
      sql`SELECT a.status, a.purchase_id, a.expires_at, a.reminded_for, a.phone, pl.remind_minutes, pu.recipient_phone, pu.lang
            FROM access_codes a JOIN plans pl ON pl.id = a.plan_id LEFT JOIN purchases pu ON pu.id = a.purchase_id
           WHERE a.id = ${p.accessCodeId}
             FOR UPDATE OF a`,
    );
    if (c?.status !== 'active' || !c.expires_at) return 'not_live';
    const expiresAt = asDate(c.expires_at);
    if (expiresAt.getTime() !== p.expiresAt) return 'moved';
    if (expiresAt <= now) return 'not_live';
    if (c.reminded_for && asDate(c.reminded_for).getTime() === p.expiresAt) return 'already';
    if (c.remind_minutes === null) return 'plan_off';
    // A gift is used by the person it was sent to.
    const phone = (c.recipient_phone && normalizePhone(c.recipient_phone)) || c.phone;
    if (!phone) return 'no_phone';
    if (await isOptedOut(tx, phone)) return 'opted_out';

    await tx.execute(sql`UPDATE access_codes SET reminded_for = ${expiresAt} WHERE id = ${p.accessCodeId}`);
    const lang = c.lang ?? 'en';
    const branding = await loadBranding(tx);
    const body = renderSms('reminder', lang, {
      business: branding.name,
      minutes: Math.max(1, Math.ceil((expiresAt.getTime() - now.getTime()) / 60_000)),
      pay,
      url: `${deps.config.publicUrl}/portal`,
    });
    await queueSms(tx, deps, {
      to: phone,
      body,
      template: 'reminder',
      purchaseId: c.purchase_id ?? undefined,
    });
    return 'sent';
  });
}
