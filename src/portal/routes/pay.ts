/**
 * /pay: a PPPoE subscriber pays what is due by STK push. Reached from the expired pool's redirect
 * and from the link in reminder texts (`/pay?account=W1001`). The amount is worked out on the
 * server from the subscriber's row when the push is sent, never taken from the form. Plain forms
 * (POST → 303 → GET) as in the rest of the portal; the waiting page follows the purchase like the
 * hotspot's and ends on the new due date.
 */
import { z } from 'zod';
import { isAppError } from '../../lib/errors.ts';
import { maskPhone } from '../../lib/phone.ts';
import { getPurchase, startPurchase } from '../../payments/index.ts';
import { amountDue, subscriberByAccount, subscriberForPaying } from '../../subscribers/index.ts';
import { cut, type PortalRoutes, params, read, text, uuid } from '../http.ts';
import { link, type PageCtx } from '../layout.ts';
import {
  accountPage,
  duePage,
  type PayError,
  payFailedPage,
  payPaidPage,
  payWaitPage,
} from '../pay-pages.ts';
import { failureKind } from '../pages.ts';
import type { FastifyReply, FastifyRequest } from 'fastify';

const accountQuery = z.object({ account: cut(40).transform((v) => v?.trim() ?? '') });
const payForm = accountQuery.extend({ phone: text.transform((v) => v?.trim() ?? ''), who: text });
const waitParams = z.object({ id: uuid });

/** Under /pay (registered by the portal module with its own HTTP edge). */
export const payRoutes: PortalRoutes = (app, deps, kit) => {
  /** Paybill number for paying by hand (a Till has no account number, so it is not offered). */
  const paybill = async (): Promise<string | null> => {
    const a = await deps.accounts.get(null);
    return a.type === 'till' ? null : a.shortcode || null;
  };

  const showDue = async (
    req: FastifyRequest,
    reply: FastifyReply,
    ctx: PageCtx,
    account: string,
    error?: PayError,
    status = 200,
  ) => {
    const s = account ? await subscriberByAccount(deps.db, account) : null;
    if (!s) {
      const e = account ? 'account' : undefined;
      return kit.send(req, reply, ctx, accountPage(ctx, { account, error: e }), account ? 404 : 200);
    }
    const page = duePage(ctx, {
      s,
      amountKes: amountDue(s, deps.clock.now()),
      phone: s.phone ? maskPhone(s.phone) : null,
      paybill: await paybill(),
      error,
    });
    return kit.send(req, reply, ctx, page, status);
  };

  app.get('/', async (req, reply) => {
    const { account } = read(accountQuery, req.query);
    const ctx = await kit.context(req, reply, req.query, {
      path: '/pay',
      params: account ? [['account', account]] : [],
    });
    return showDue(req, reply, ctx, account);
  });

  app.post('/', async (req, reply) => {
    const b = read(payForm, req.body);
    const account = b.account;
    const ctx = await kit.context(req, reply, req.body, { path: '/pay', params: [['account', account]] });
    const s = account ? await subscriberByAccount(deps.db, account) : null;
    if (!s) return showDue(req, reply, ctx, account);
    // The subscriber's own number unless another was chosen (or there is none on the account).
    const typed = b.phone;
    const phone = s.phone && (b.who !== 'other' || !typed) ? s.phone : typed;
    try {
      const p = await startPurchase(deps, { subscriberId: s.id, phone, lang: ctx.lang });
      return kit.redirect(reply, link(ctx, `/pay/wait/${p.id}`));
    } catch (e) {
      if (!isAppError(e)) throw e;
      if (e.code === 'validation') return showDue(req, reply, ctx, account, 'phone', 400);
      if (e.code === 'payment_in_progress' || e.code === 'rate_limited')
        return showDue(req, reply, ctx, account, 'busy', e.code === 'rate_limited' ? 429 : 409);
      throw e;
    }
  });

  app.get('/wait/:id', async (req, reply) => {
    const id = params(waitParams, req)?.id;
    const ctx = await kit.context(req, reply, req.query, { path: id ? `/pay/wait/${id}` : '/pay' });
    const notFound = () => kit.notFound(req, reply, ctx);
    if (!id) return notFound();
    let p: Awaited<ReturnType<typeof getPurchase>>;
    try {
      p = await getPurchase(deps, id, { lang: ctx.lang });
    } catch (e) {
      if (isAppError(e) && e.code === 'not_found') return notFound();
      throw e;
    }
    const s = p.subscriberId === null ? null : await subscriberForPaying(deps.db, p.subscriberId);
    if (!s) return notFound();
    if (p.status === 'paid')
      return kit.send(req, reply, ctx, payPaidPage(ctx, { s, amountKes: p.amountKes }));
    if (p.status === 'pending')
      return kit.send(
        req,
        reply,
        ctx,
        payWaitPage(ctx, { purchaseId: p.id, amountKes: p.amountKes, phone: p.phone ?? '' }),
      );
    return kit.send(
      req,
      reply,
      ctx,
      payFailedPage(ctx, {
        accountNo: s.accountNo,
        kind: failureKind(p.status, p.resultCode),
        reason: p.reason,
      }),
    );
  });
};
