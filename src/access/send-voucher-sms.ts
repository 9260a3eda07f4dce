/**
 * The SMS that carries a sold voucher: to the recipient named at purchase ("for someone else"),
 * or else to the buyer. Queued on the caller's transaction, so it exists exactly when the sale does.
 */
import { sql } from 'drizzle-orm';
import type { Deps } from '../app/deps.ts';
import { type Conn, query } from '../db/open.ts';
import { maskPhone, normalizePhone } from '../lib/phone.ts';
import { queueSms } from '../notify/index.ts';
import { renderSms, type SmsLang } from '../notify/index.ts';
import { loadBranding } from '../branding/index.ts';

export async function sendVoucherSms(
  tx: Conn,
  deps: Deps,
  o: {
    purchaseId: string;
    planId: number;
    code: string;
    /** The voucher's own password: texted with the code, since the customer needs both. */
    password?: string | null;
    buyerPhone: string | null;
    lang?: SmsLang;
  },
): Promise<string | null> {
  const [p] = await query<{ recipient_phone: string | null; phone: string | null }>(
    tx,
    sql`SELECT recipient_phone, phone FROM purchases WHERE id = ${o.purchaseId}`,
  );
  const buyer = o.buyerPhone ?? p?.phone ?? null;
  const recipient = p?.recipient_phone ? normalizePhone(p.recipient_phone) : null;
  const to = recipient ?? buyer;
  if (!to) return null;
  const [plan] = await query<{ name: string }>(tx, sql`SELECT name FROM plans WHERE id = ${o.planId}`);
  const branding = await loadBranding(tx);
  const vars = {
    business: branding.name,
    code: o.code,
    password: o.password ?? null,
    plan: plan?.name ?? 'WiFi',
    supportPhone: branding.supportPhone,
  };
  const gift = recipient !== null && buyer !== null && recipient !== buyer;
  const body = gift
    ? renderSms('gift', o.lang ?? 'en', { ...vars, from: maskPhone(buyer) })
    : renderSms('code', o.lang ?? 'en', vars);
  return queueSms(tx, deps, {
    to,
    body,
    code: o.code,
    password: o.password ?? null,
    template: gift ? 'gift' : 'code',
    purchaseId: o.purchaseId,
  });
}
