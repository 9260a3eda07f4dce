/**
 * "Already paid?": back online with the M-Pesa receipt, or, with no receipt at hand, the code sent
 * by SMS to the phone that paid (phone, amount and day; the page never shows the code).
 */
import { z } from 'zod';
import { eatDate } from '../../lib/eat-time.ts';
import { normalizePhone } from '../../lib/phone.ts';
import * as backend from '../backend.ts';
import { check, cut, fail, formError, isDay, type PortalRoutes, read, text } from '../http.ts';
import { link } from '../layout.ts';
import * as pages from '../pages.ts';

const RecoverQuery = z.object({
  receipt: cut(12),
  e: formError,
  phone: cut(20),
  amount: cut(6),
  day: text.transform((v) => (isDay(v) ? v : undefined)),
  se: formError,
  sent: text,
});

const trimmed = (max: number) => text.transform((v) => (v ?? '').trim().slice(0, max));

/** A receipt as people type it (lower case, spaces) reads as M-Pesa prints it. */
const ReceiptTyped = z.object({
  receipt: text.transform((v) => (v ?? '').trim().toUpperCase().replace(/\s+/g, '')),
});
const ReceiptForm = z.object({ receipt: z.string().regex(/^[A-Z0-9]{10}$/, { error: 'receipt' }) });

const SmsTyped = z.object({ phone: cut(20).transform((v) => v ?? ''), amount: trimmed(6), day: trimmed(10) });
/** The day the customer paid: a real date, not after today (East Africa Time). */
const smsForm = (today: string) =>
  z.object({
    phone: z.string().refine((v) => normalizePhone(v) !== null, { error: 'phone' }),
    amount: z
      .string()
      .regex(/^[1-9]\d{0,5}$/, { error: 'amount' })
      .transform(Number),
    day: z.string().transform((v, c) => (isDay(v) && v <= today ? v : fail(c, 'day'))),
  });

export const recoverRoutes: PortalRoutes = (app, deps, kit) => {
  app.get('/recover', async (req, reply) => {
    const q = read(RecoverQuery, req.query);
    const ctx = await kit.context(req, reply, req.query, { path: '/portal/recover' });
    return kit.send(
      req,
      reply,
      ctx,
      pages.recoverPage(ctx, {
        receipt: q.receipt,
        error: q.e,
        sms: {
          today: eatDate(deps.clock.now()),
          phone: q.phone,
          amount: q.amount,
          day: q.day,
          error: q.se,
          sent: q.sent === '1',
        },
      }),
    );
  });

  app.post('/recover', async (req, reply) => {
    const ctx = await kit.context(req, reply, req.body, { path: '/portal/recover' });
    const typed = read(ReceiptTyped, req.body);
    const back = (e: pages.FormError) =>
      kit.redirect(
        reply,
        link(ctx, '/portal/recover', [
          ['e', e],
          ['receipt', typed.receipt.slice(0, 12)],
        ]),
      );
    const f = check(ReceiptForm, typed, 'receipt');
    if (!f.ok) return back(f.error);
    if (!ctx.hs.mac) return back('no_device');
    const d = await backend.recoverByReceipt(deps, {
      receipt: f.data.receipt,
      mac: ctx.hs.mac,
      routerId: await kit.routerIdOf(ctx.hs),
      lang: ctx.lang,
      ip: ctx.hs.ip ?? null,
      sourceIp: req.ip,
    });
    if (!d.ok) return back(d.reason);
    return kit.redirect(reply, kit.connectUrl(ctx, d.code, d.accessCodeId));
  });

  // No receipt at hand: the code goes by SMS to the phone that paid (the page never shows it).
  app.post('/recover-sms', async (req, reply) => {
    const ctx = await kit.context(req, reply, req.body, { path: '/portal/recover' });
    const typed = read(SmsTyped, req.body);
    const back = (extra: [string, string][]) =>
      kit.redirect(
        reply,
        link(ctx, '/portal/recover', [
          ...extra,
          ['phone', typed.phone],
          ['amount', typed.amount],
          ['day', typed.day],
        ]),
      );
    const f = check(smsForm(eatDate(deps.clock.now())), typed, 'phone');
    if (!f.ok) return back([['se', f.error]]);
    if (!ctx.hs.mac) return back([['se', 'no_device']]);
    const r = await backend.recoverBySms(deps, {
      phone: f.data.phone,
      amountKes: f.data.amount,
      day: f.data.day,
      mac: ctx.hs.mac,
      routerId: await kit.routerIdOf(ctx.hs),
      lang: ctx.lang,
      ip: ctx.hs.ip ?? null,
      sourceIp: req.ip,
    });
    return back(r === 'sent' ? [['sent', '1']] : [['se', r]]);
  });
};
