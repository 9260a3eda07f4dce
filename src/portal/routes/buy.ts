/**
 * Buying a package by STK push: the form on the landing page, the page that waits for the PIN (and
 * shows the outcome at the same address), the one-tap retry and the Paybill/Till instructions.
 */
import { z } from 'zod';
import { isAppError } from '../../lib/errors.ts';
import { nonMpesaNetwork, normalizePhone } from '../../lib/phone.ts';
import * as backend from '../backend.ts';
import { check, fail, formError, type PortalRoutes, params, read, text, uuid, waitSeconds } from '../http.ts';
import { link } from '../layout.ts';
import * as pages from '../pages.ts';

/** What was typed, as the form shows it again after a refusal. */
const BuyTyped = z.object({
  plan: text.transform(Number),
  phone: text.transform((v) => (v ?? '').slice(0, 20)),
});
const BuyForm = z.object({
  plan: z.number({ error: 'plan' }).int({ error: 'plan' }).positive({ error: 'plan' }),
  phone: z.string().transform((typed, c) => {
    const phone = normalizePhone(typed);
    if (!phone) return fail(c, 'phone');
    if (nonMpesaNetwork(phone)) return fail(c, 'not_mpesa');
    return phone;
  }),
});
const PurchaseId = z.object({ id: uuid });
const WaitQuery = z.object({ e: formError, s: waitSeconds });

/** Why a payment could not start, as the short code the form shows. */
function purchaseError(code: string): pages.FormError {
  if (code === 'payment_in_progress') return 'busy';
  if (code === 'validation') return 'phone';
  if (code === 'not_found') return 'plan';
  if (code === 'rate_limited') return 'wait';
  return 'paystart';
}

const waitParam = (s: number | undefined): [string, string][] => (s ? [['s', String(s)]] : []);

export const buyRoutes: PortalRoutes = (app, deps, kit) => {
  app.post('/buy', async (req, reply) => {
    const ctx = await kit.context(req, reply, req.body, { path: '/portal' });
    const typed = read(BuyTyped, req.body);
    const back = (e: pages.FormError, wait?: number) =>
      kit.redirect(
        reply,
        link(ctx, '/portal', [
          ['e', e],
          ['plan', String(typed.plan || '')],
          ['phone', typed.phone],
          ...waitParam(wait),
        ]),
      );
    const f = check(BuyForm, typed, 'plan');
    if (!f.ok) return back(f.error);
    try {
      const p = await backend.startPurchase(deps, {
        planId: f.data.plan,
        phone: f.data.phone,
        mac: ctx.hs.mac ?? null,
        ip: ctx.hs.ip ?? null,
        routerId: await kit.routerIdOf(ctx.hs),
        lang: ctx.lang,
      });
      return kit.redirect(reply, link(ctx, `/portal/wait/${p.id}`));
    } catch (e) {
      if (!isAppError(e)) throw e;
      req.log.info({ code: e.code }, 'purchase not started');
      return back(purchaseError(e.code), e.retryAfterSeconds);
    }
  });

  // Waiting for the PIN; the same address shows the outcome once there is one.
  app.get('/wait/:id', async (req, reply) => {
    const id = (req.params as { id: string }).id;
    const ctx = await kit.context(req, reply, req.query, { path: `/portal/wait/${id}` });
    const valid = params(PurchaseId, req);
    const p = valid ? await backend.getPurchase(deps, valid.id, ctx.lang) : null;
    if (!p) return kit.notFound(req, reply, ctx);
    if (p.status === 'paid' && p.code)
      return kit.redirect(reply, kit.connectUrl(ctx, p.code, p.accessCodeId));
    const info = { id: p.id, ref: p.ref, planName: p.planName, amountKes: p.amountKes, phone: p.phone };
    if (p.status === 'pending' || p.status === 'paid')
      return kit.send(
        req,
        reply,
        ctx,
        pages.waitPage(ctx, { purchase: info, secondsLeft: backend.pinSecondsLeft(deps, p) }),
      );
    const q = read(WaitQuery, req.query);
    return kit.send(
      req,
      reply,
      ctx,
      pages.failedPage(ctx, {
        purchase: info,
        kind: pages.failureKind(p.status, p.resultCode),
        reason: p.reason,
        error: q.e,
        waitSeconds: q.s,
      }),
    );
  });

  // One-tap retry: same package, same phone (kept server-side; the page only shows it masked).
  // A paid or still-waiting purchase is not retried: back to its own page, no new prompt.
  app.post('/retry/:id', async (req, reply) => {
    const ctx = await kit.context(req, reply, req.body, { path: '/portal' });
    const valid = params(PurchaseId, req);
    if (!valid) return kit.redirect(reply, link(ctx, '/portal'));
    const { id } = valid;
    try {
      const r = await backend.retryPurchase(deps, id, {
        mac: ctx.hs.mac ?? null,
        ip: ctx.hs.ip ?? null,
        routerId: await kit.routerIdOf(ctx.hs),
        lang: ctx.lang,
      });
      if (r === 'unknown') return kit.redirect(reply, link(ctx, '/portal'));
      if (r === 'not_retryable') return kit.redirect(reply, link(ctx, `/portal/wait/${id}`));
      return kit.redirect(reply, link(ctx, `/portal/wait/${r.started}`));
    } catch (e) {
      if (!isAppError(e)) throw e;
      req.log.info({ code: e.code }, 'retry not started');
      return kit.redirect(
        reply,
        link(ctx, `/portal/wait/${id}`, [['e', purchaseError(e.code)], ...waitParam(e.retryAfterSeconds)]),
      );
    }
  });

  app.get('/paybill/:id', async (req, reply) => {
    const id = (req.params as { id: string }).id;
    const ctx = await kit.context(req, reply, req.query, { path: `/portal/paybill/${id}` });
    const valid = params(PurchaseId, req);
    const p = valid ? await backend.getPurchase(deps, valid.id, ctx.lang) : null;
    if (!p) return kit.notFound(req, reply, ctx);
    return kit.send(
      req,
      reply,
      ctx,
      pages.paybillPage(ctx, { pay: await backend.paybillFor(deps, p), purchaseId: p.id }),
    );
  });
};
