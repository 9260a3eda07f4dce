/**
 * /pay: a PPPoE subscriber pays what is due by STK push. Reached from the expired pool's redirect
 * and from the link in reminder texts (`/pay?account=W1001`). The amount is worked out on the
 * server from the subscriber's row when the push is sent, never taken from the form. Plain forms
 * (POST → 303 → GET) as in the rest of the portal; the waiting page follows the purchase like the
 * hotspot's and ends on the new due date.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Deps } from '../app/deps.ts';
import { clientErrorStatus } from '../http/server.ts';
import { isAppError } from '../lib/errors.ts';
import { maskPhone } from '../lib/phone.ts';
import { getPurchase, startPurchase } from '../payments/index.ts';
import { amountDue, subscriberByAccount, subscriberForPaying } from '../subscribers/index.ts';
import type { Html } from './html.ts';
import { link, type PageCtx } from './layout.ts';
import { accountPage, duePage, type PayError, payFailedPage, payPaidPage, payWaitPage } from './pay-pages.ts';
import { errorPage, failureKind } from './pages.ts';

type Params = Record<string, unknown>;
const FORM = 'application/x-www-form-urlencoded';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** What the portal module lends its route files: the page context, sending a page, redirecting. */
export interface PayKit {
  context(req: FastifyRequest, reply: FastifyReply, input: Params, self: PageCtx['self']): Promise<PageCtx>;
  send(req: FastifyRequest, reply: FastifyReply, ctx: PageCtx, body: Html, status?: number): unknown;
  redirect(reply: FastifyReply, to: string): unknown;
}

export async function payRoutes(app: FastifyInstance, deps: Deps, kit: PayKit): Promise<void> {
  if (!app.hasContentTypeParser(FORM)) {
    app.addContentTypeParser(FORM, { parseAs: 'string', bodyLimit: 16_384 }, (_req, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(String(body))));
    });
  }
  app.setNotFoundHandler(async (req, reply) => {
    const ctx = await kit.context(req, reply, (req.query ?? {}) as Params, { path: '/pay' });
    return kit.send(req, reply, ctx, errorPage(ctx, { kind: 'not_found' }), 404);
  });
  app.setErrorHandler(async (err, req, reply) => {
    const status = clientErrorStatus(err);
    if (status === null) req.log.error({ err }, 'pay page failed');
    const ctx = await kit.context(req, reply, (req.query ?? {}) as Params, { path: '/pay' });
    if (status !== null) return kit.send(req, reply, ctx, errorPage(ctx, { kind: 'bad_request' }), status);
    return kit.send(req, reply, ctx, errorPage(ctx, { kind: 'problem' }), 500);
  });

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
    const q = req.query as Params;
    const account = str(q.account).trim().slice(0, 40);
    const ctx = await kit.context(req, reply, q, {
      path: '/pay',
      params: account ? [['account', account]] : [],
    });
    return showDue(req, reply, ctx, account);
  });

  app.post('/', async (req, reply) => {
    const b = (req.body ?? {}) as Params;
    const account = str(b.account).trim().slice(0, 40);
    const ctx = await kit.context(req, reply, b, { path: '/pay', params: [['account', account]] });
    const s = account ? await subscriberByAccount(deps.db, account) : null;
    if (!s) return showDue(req, reply, ctx, account);
    // The subscriber's own number unless another was chosen (or there is none on the account).
    const typed = str(b.phone).trim();
    const phone = s.phone && (str(b.who) !== 'other' || !typed) ? s.phone : typed;
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
    const { id } = req.params as { id: string };
    const q = req.query as Params;
    const ctx = await kit.context(req, reply, q, { path: `/pay/wait/${id}` });
    const notFound = () => kit.send(req, reply, ctx, errorPage(ctx, { kind: 'not_found' }), 404);
    if (!UUID.test(id)) return notFound();
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
}
