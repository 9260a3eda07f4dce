/**
 * The captive portal under /portal: server-rendered pages, plain forms (POST → 303 → GET), every
 * page usable without JavaScript. Routes only read input, call one backend function and pick a
 * page; the hotspot variables and the language travel along on every link and form.
 */
import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Deps } from '../app/deps.ts';
import type { Module } from '../app/module.ts';
import { loadBranding } from '../branding/index.ts';
import { clientErrorStatus } from '../http/server.ts';
import { eatDate } from '../lib/eat-time.ts';
import { isAppError } from '../lib/errors.ts';
import { nonMpesaNetwork, normalizePhone } from '../lib/phone.ts';
import { listPlansOnSale } from '../plans/index.ts';
import * as backend from './backend.ts';
import { agentGrantWaiting, grantPending, OFFLINE_AFTER_MS, resolveRouterId } from '../gateways/index.ts';
import { type Hotspot, parseHotspot } from './hotspot.ts';
import type { Html } from './html.ts';
import { cookieValue, dict, pickLang } from './i18n/index.ts';
import { link, type PageCtx } from './layout.ts';
import { loginForm, serverLogin } from './login.ts';
import { openndsPortalRoutes } from './opennds.ts';
import { unifiPortalRoutes } from './unifi.ts';
import * as pages from './pages.ts';
import { payRoutes } from './pay-routes.ts';
import { openGrant, PAID_COOKIE, PAID_COOKIE_MAX_AGE_S, sealGrant, sealPaid } from './token.ts';

type Params = Record<string, unknown>;
const FORM = 'application/x-www-form-urlencoded';
/** How long the connect page waits for a router grant before letting the login try anyway. */
const GRANT_WAIT_MS = 30_000;
/** An agent router collects it on its next poll: up to when it would be marked offline. */
const AGENT_GRANT_WAIT_MS = OFFLINE_AFTER_MS;

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const portalModule: Module = {
  name: 'portal',
  async routes(app, deps) {
    await app.register(async (scope) => portalRoutes(scope, deps), { prefix: '/portal' });
    await app.register(
      async (scope) => payRoutes(scope, deps, { context: (...a) => context(deps, ...a), send, redirect }),
      { prefix: '/pay' },
    );
  },
};

async function context(
  deps: Deps,
  req: FastifyRequest,
  reply: FastifyReply,
  input: Params,
  self: PageCtx['self'],
): Promise<PageCtx> {
  const { lang, fromQuery } = pickLang(input.lang, req.headers.cookie);
  if (fromQuery) reply.header('set-cookie', `wavu_lang=${lang}; Path=/; Max-Age=31536000; SameSite=Lax`);
  return {
    t: dict(lang),
    lang,
    brand: await loadBranding(deps.db),
    hs: parseHotspot(input),
    nonce: randomBytes(12).toString('base64'),
    self,
  };
}

function send(req: FastifyRequest, reply: FastifyReply, ctx: PageCtx, body: Html, status = 200) {
  reply
    .code(status)
    .header('content-type', 'text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .header('referrer-policy', 'no-referrer')
    .header('x-content-type-options', 'nosniff')
    .header('x-frame-options', 'DENY')
    // Nothing may load from elsewhere; forms may post to the hotspot's own login URL (http or https).
    .header(
      'content-security-policy',
      `default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'nonce-${ctx.nonce}'; connect-src 'self'; form-action 'self' http: https:; base-uri 'none'; frame-ancestors 'none'`,
    )
    .header('vary', 'accept-encoding, cookie');
  // The whole page must arrive in the first round trip: send it gzipped whenever the client takes it.
  if (/\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''))) {
    return reply.header('content-encoding', 'gzip').send(gzipSync(body.value));
  }
  return reply.send(body.value);
}

const redirect = (reply: FastifyReply, to: string) =>
  reply.code(303).header('cache-control', 'no-store').redirect(to, 303);

async function portalRoutes(app: FastifyInstance, deps: Deps) {
  if (!app.hasContentTypeParser(FORM)) {
    app.addContentTypeParser(FORM, { parseAs: 'string', bodyLimit: 16_384 }, (_req, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(String(body))));
    });
  }

  // openNDS routers log in through their own route file (opennds.ts), with the same pages.
  const kit = {
    context: (req: FastifyRequest, reply: FastifyReply, input: Params, self: PageCtx['self']) =>
      context(deps, req, reply, input, self),
    send,
    redirect,
  };
  openndsPortalRoutes(app, deps, kit);
  unifiPortalRoutes(app, deps, kit);

  const routerIdOf = (hs: Hotspot) => resolveRouterId(deps.db, hs.router);
  const returning = async (req: FastifyRequest, hs: Hotspot): Promise<backend.ReturningDevice> => ({
    hs,
    routerId: await routerIdOf(hs),
    sourceIp: req.ip,
  });

  // The request ends (paid, failed or expired by the reconciler) by this long after it was sent.
  const pinSecondsLeft = (p: backend.PurchaseState) =>
    (p.createdAt.getTime() + deps.config.mpesa.expireAfterMs - deps.clock.now().getTime()) / 1000;

  const connectUrl = (ctx: PageCtx, code: string, accessCodeId: string | null) =>
    link(ctx, '/portal/connect', [
      ['t', sealGrant(deps.sealer, { code, accessCodeId, at: deps.clock.now().getTime() })],
    ]);

  app.setNotFoundHandler(async (req, reply) => {
    const ctx = await context(deps, req, reply, (req.query ?? {}) as Params, { path: '/portal' });
    return send(req, reply, ctx, pages.errorPage(ctx, { kind: 'not_found' }), 404);
  });
  app.setErrorHandler(async (err, req, reply) => {
    // The client's fault (a form over 16 KB, unreadable JSON, an unknown body type): its own 4xx.
    const status = clientErrorStatus(err);
    if (status === null) req.log.error({ err }, 'portal page failed');
    else req.log.info({ code: (err as { code?: unknown }).code, status }, 'portal request refused');
    const ctx = await context(deps, req, reply, (req.query ?? {}) as Params, { path: '/portal' });
    if (status !== null) return send(req, reply, ctx, pages.errorPage(ctx, { kind: 'bad_request' }), status);
    return send(req, reply, ctx, pages.errorPage(ctx, { kind: 'problem' }), 500);
  });

  // Landing page: packages + phone, voucher box; a device that still has time gets "Reconnect"
  // (only when the router confirms the device: a typed MAC sees the plain packages page).
  app.get('/', async (req, reply) => {
    const q = req.query as Params;
    const ctx = await context(deps, req, reply, q, { path: '/portal' });
    // Tickets printed before the QR code opened /portal/voucher still carry ?code=: the voucher
    // page, filled in and ready to connect, not an empty box.
    const code = codeParam(q);
    if (code.length) return redirect(reply, link(ctx, '/portal/voucher', code));
    const plans = await listPlansOnSale(deps.db);
    // Paid, then sent back here by the router (its login failed or never finished): the code and
    // a retry, not the packages (`more=1` is the way on to buy something else).
    const paid =
      q.more === '1'
        ? null
        : await backend.paidHere(deps, cookieValue(req.headers.cookie, PAID_COOKIE), ctx.hs.mac);
    if (paid) {
      return send(
        req,
        reply,
        ctx,
        pages.paidPage(ctx, {
          code: paid.code,
          routerError: ctx.hs.error,
          retry: '/portal/paid/retry',
          more: link(ctx, '/portal', [['more', '1']]),
        }),
      );
    }
    const planId = Number(str(q.plan));
    const voucher = cookieValue(req.headers.cookie, CODE_COOKIE);
    const left = await backend.timeLeft(deps, await returning(req, ctx.hs));
    const welcome: pages.WelcomeBack | undefined = left ? { secondsLeft: left.secondsLeft } : undefined;
    const e = str(q.e);
    return send(
      req,
      reply,
      ctx,
      pages.homePage(ctx, {
        plans,
        planId: Number.isSafeInteger(planId) ? planId : undefined,
        phone: str(q.phone)?.slice(0, 20),
        error: pages.isFormError(e) ? e : undefined,
        waitSeconds: seconds(q.s),
        welcome,
        code: voucher && VOUCHER_SHAPE.test(voucher) ? voucher : undefined,
      }),
    );
  });

  // The router's login.html may post the hotspot variables (MikroTik's external-portal pattern):
  // keep only the valid ones and continue as a plain GET.
  app.post('/', async (req, reply) => {
    const ctx = await context(deps, req, reply, (req.body ?? {}) as Params, { path: '/portal' });
    const err: [string, string][] = ctx.hs.error ? [['error', ctx.hs.error]] : [];
    return redirect(reply, link(ctx, '/portal', err));
  });

  app.post('/buy', async (req, reply) => {
    const b = (req.body ?? {}) as Params;
    const ctx = await context(deps, req, reply, b, { path: '/portal' });
    const planId = Number(str(b.plan));
    const typed = (str(b.phone) ?? '').slice(0, 20);
    const back = (e: pages.FormError, wait?: number) =>
      redirect(
        reply,
        link(ctx, '/portal', [
          ['e', e],
          ['plan', String(planId || '')],
          ['phone', typed],
          ...waitParam(wait),
        ]),
      );
    if (!Number.isSafeInteger(planId) || planId <= 0) return back('plan');
    const phone = normalizePhone(typed);
    if (!phone) return back('phone');
    if (nonMpesaNetwork(phone)) return back('not_mpesa');
    try {
      const p = await backend.startPurchase(deps, {
        planId,
        phone,
        mac: ctx.hs.mac ?? null,
        ip: ctx.hs.ip ?? null,
        routerId: await routerIdOf(ctx.hs),
        lang: ctx.lang,
      });
      return redirect(reply, link(ctx, `/portal/wait/${p.id}`));
    } catch (e) {
      if (!isAppError(e)) throw e;
      req.log.info({ code: e.code }, 'purchase not started');
      return back(purchaseError(e.code), e.retryAfterSeconds);
    }
  });

  // Waiting for the PIN; the same address shows the outcome once there is one.
  app.get('/wait/:id', async (req, reply) => {
    const q = req.query as Params;
    const id = (req.params as { id: string }).id;
    const ctx = await context(deps, req, reply, q, { path: `/portal/wait/${id}` });
    const p = UUID.test(id) ? await backend.getPurchase(deps, id, ctx.lang) : null;
    if (!p) return send(req, reply, ctx, pages.errorPage(ctx, { kind: 'not_found' }), 404);
    if (p.status === 'paid' && p.code) return redirect(reply, connectUrl(ctx, p.code, p.accessCodeId));
    const info = { id: p.id, ref: p.ref, planName: p.planName, amountKes: p.amountKes, phone: p.phone };
    if (p.status === 'pending' || p.status === 'paid')
      return send(req, reply, ctx, pages.waitPage(ctx, { purchase: info, secondsLeft: pinSecondsLeft(p) }));
    const e = str(q.e);
    return send(
      req,
      reply,
      ctx,
      pages.failedPage(ctx, {
        purchase: info,
        kind: pages.failureKind(p.status, p.resultCode),
        reason: p.reason,
        error: pages.isFormError(e) ? e : undefined,
        waitSeconds: seconds(q.s),
      }),
    );
  });

  // One-tap retry: same package, same phone (kept server-side; the page only shows it masked).
  // A paid or still-waiting purchase is not retried: back to its own page, no new prompt.
  app.post('/retry/:id', async (req, reply) => {
    const id = (req.params as { id: string }).id;
    const ctx = await context(deps, req, reply, (req.body ?? {}) as Params, { path: '/portal' });
    if (!UUID.test(id)) return redirect(reply, link(ctx, '/portal'));
    try {
      const r = await backend.retryPurchase(deps, id, {
        mac: ctx.hs.mac ?? null,
        ip: ctx.hs.ip ?? null,
        routerId: await routerIdOf(ctx.hs),
        lang: ctx.lang,
      });
      if (r === 'unknown') return redirect(reply, link(ctx, '/portal'));
      if (r === 'not_retryable') return redirect(reply, link(ctx, `/portal/wait/${id}`));
      return redirect(reply, link(ctx, `/portal/wait/${r.started}`));
    } catch (e) {
      if (!isAppError(e)) throw e;
      req.log.info({ code: e.code }, 'retry not started');
      return redirect(
        reply,
        link(ctx, `/portal/wait/${id}`, [['e', purchaseError(e.code)], ...waitParam(e.retryAfterSeconds)]),
      );
    }
  });

  app.get('/paybill/:id', async (req, reply) => {
    const id = (req.params as { id: string }).id;
    const ctx = await context(deps, req, reply, req.query as Params, { path: `/portal/paybill/${id}` });
    const p = UUID.test(id) ? await backend.getPurchase(deps, id, ctx.lang) : null;
    if (!p) return send(req, reply, ctx, pages.errorPage(ctx, { kind: 'not_found' }), 404);
    return send(
      req,
      reply,
      ctx,
      pages.paybillPage(ctx, { pay: await backend.paybillFor(deps, p), purchaseId: p.id }),
    );
  });

  app.get('/voucher', async (req, reply) => {
    const q = req.query as Params;
    const ctx = await context(deps, req, reply, q, { path: '/portal/voucher', params: codeParam(q) });
    const e = str(q.e);
    // A scanned ticket opened outside the hotspot's login page (no device to connect yet): keep
    // the code for a while, so the portal page the router shows next has it filled in.
    const typed = str(q.code)?.trim().slice(0, 40);
    if (typed && !ctx.hs.mac && VOUCHER_SHAPE.test(typed))
      reply.header(
        'set-cookie',
        `${CODE_COOKIE}=${typed}; Path=/portal; Max-Age=900; HttpOnly; SameSite=Lax`,
      );
    return send(
      req,
      reply,
      ctx,
      pages.voucherPage(ctx, {
        code: str(q.code)?.slice(0, 40),
        error: pages.isFormError(e) ? e : undefined,
        askPassword: q.pw === '1',
      }),
    );
  });

  app.post('/voucher', async (req, reply) => {
    const b = (req.body ?? {}) as Params;
    const ctx = await context(deps, req, reply, b, { path: '/portal/voucher' });
    // `username`/`password` too: the field names of a MikroTik-style login form.
    const code = (str(b.code) ?? str(b.username) ?? '').trim().slice(0, 40);
    const password = (str(b.password) ?? '').trim().slice(0, 64) || null;
    const back = (e: pages.FormError) =>
      redirect(
        reply,
        link(ctx, '/portal/voucher', [
          ['e', e],
          ['code', code],
          // A password was tried: keep its box (never its value).
          ...(password ? ([['pw', '1']] as [string, string][]) : []),
        ]),
      );
    if (!code) return back('code');
    if (!ctx.hs.mac) return back('no_device');
    const d = await backend.redeem(deps, {
      code,
      password,
      mac: ctx.hs.mac,
      routerId: await routerIdOf(ctx.hs),
      ip: ctx.hs.ip ?? null,
      sourceIp: req.ip,
    });
    if (!d.ok) return back(d.reason);
    if (cookieValue(req.headers.cookie, CODE_COOKIE))
      reply.header('set-cookie', `${CODE_COOKIE}=; Path=/portal; Max-Age=0; HttpOnly; SameSite=Lax`);
    return redirect(reply, connectUrl(ctx, d.code, d.accessCodeId));
  });

  // Back online without the code ever reaching the browser (see returning.ts).
  app.post('/reconnect', async (req, reply) => {
    const ctx = await context(deps, req, reply, (req.body ?? {}) as Params, { path: '/portal' });
    const r = await backend.reconnect(deps, await returning(req, ctx.hs));
    if (r === 'online') return redirect(reply, link(ctx, '/portal/status'));
    return redirect(reply, link(ctx, '/portal', [['e', r === 'too_many' ? 'too_many' : 'reconnect']]));
  });

  app.get('/recover', async (req, reply) => {
    const q = req.query as Params;
    const ctx = await context(deps, req, reply, q, { path: '/portal/recover' });
    const e = str(q.e);
    return send(
      req,
      reply,
      ctx,
      pages.recoverPage(ctx, {
        receipt: str(q.receipt)?.slice(0, 12),
        error: pages.isFormError(e) ? e : undefined,
        sms: {
          today: eatDate(deps.clock.now()),
          phone: str(q.phone)?.slice(0, 20),
          amount: str(q.amount)?.slice(0, 6),
          day: isDay(str(q.day)) ? str(q.day) : undefined,
          error: pages.isFormError(q.se) ? q.se : undefined,
          sent: q.sent === '1',
        },
      }),
    );
  });

  app.post('/recover', async (req, reply) => {
    const b = (req.body ?? {}) as Params;
    const ctx = await context(deps, req, reply, b, { path: '/portal/recover' });
    const receipt = (str(b.receipt) ?? '').trim().toUpperCase().replace(/\s+/g, '');
    const back = (e: pages.FormError) =>
      redirect(
        reply,
        link(ctx, '/portal/recover', [
          ['e', e],
          ['receipt', receipt.slice(0, 12)],
        ]),
      );
    if (!/^[A-Z0-9]{10}$/.test(receipt)) return back('receipt');
    if (!ctx.hs.mac) return back('no_device');
    const d = await backend.recoverByReceipt(deps, {
      receipt,
      mac: ctx.hs.mac,
      routerId: await routerIdOf(ctx.hs),
      lang: ctx.lang,
      ip: ctx.hs.ip ?? null,
      sourceIp: req.ip,
    });
    if (!d.ok) return back(d.reason);
    return redirect(reply, connectUrl(ctx, d.code, d.accessCodeId));
  });

  // No receipt at hand: the code goes by SMS to the phone that paid (the page never shows it).
  app.post('/recover-sms', async (req, reply) => {
    const b = (req.body ?? {}) as Params;
    const ctx = await context(deps, req, reply, b, { path: '/portal/recover' });
    const typed = (str(b.phone) ?? '').slice(0, 20);
    const amount = (str(b.amount) ?? '').trim().slice(0, 6);
    const day = (str(b.day) ?? '').trim().slice(0, 10);
    const back = (extra: [string, string][]) =>
      redirect(
        reply,
        link(ctx, '/portal/recover', [...extra, ['phone', typed], ['amount', amount], ['day', day]]),
      );
    if (!normalizePhone(typed)) return back([['se', 'phone']]);
    if (!/^[1-9]\d{0,5}$/.test(amount)) return back([['se', 'amount']]);
    if (!isDay(day) || day > eatDate(deps.clock.now())) return back([['se', 'day']]);
    if (!ctx.hs.mac) return back([['se', 'no_device']]);
    const r = await backend.recoverBySms(deps, {
      phone: typed,
      amountKes: Number(amount),
      day,
      mac: ctx.hs.mac,
      routerId: await routerIdOf(ctx.hs),
      lang: ctx.lang,
      ip: ctx.hs.ip ?? null,
      sourceIp: req.ip,
    });
    return back(r === 'sent' ? [['sent', '1']] : [['se', r]]);
  });

  // "Try again" on the paid page: push the access to the router again, then log in once more.
  app.post('/paid/retry', async (req, reply) => {
    const ctx = await context(deps, req, reply, (req.body ?? {}) as Params, { path: '/portal' });
    const paid = await backend.paidHere(deps, cookieValue(req.headers.cookie, PAID_COOKIE), ctx.hs.mac);
    if (!paid) return redirect(reply, link(ctx, '/portal'));
    await backend.pushAgain(deps, paid.accessCodeId, await routerIdOf(ctx.hs));
    return redirect(reply, connectUrl(ctx, paid.code, paid.accessCodeId));
  });

  // Log the device in at the router (see pages.connectPage).
  app.get('/connect', async (req, reply) => {
    const q = req.query as Params;
    const token = str(q.t) ?? '';
    const ctx = await context(deps, req, reply, q, { path: '/portal/connect', params: [['t', token]] });
    const now = deps.clock.now().getTime();
    const g = openGrant(deps.sealer, token, now);
    if (!g) return send(req, reply, ctx, pages.errorPage(ctx, { kind: 'not_found' }), 404);
    // If the router's login fails and sends the browser back, the portal knows it paid (paid.ts).
    if (g.accessCodeId)
      reply.header(
        'set-cookie',
        `${PAID_COOKIE}=${encodeURIComponent(sealPaid(deps.sealer, { code: g.code, accessCodeId: g.accessCodeId, mac: ctx.hs.mac ?? null }, now))}; Path=/portal; Max-Age=${PAID_COOKIE_MAX_AGE_S}; HttpOnly; SameSite=Lax`,
      );
    if (g.accessCodeId) {
      // Agent routers: the user is there only once the router has acknowledged it.
      const agent = await agentGrantWaiting(deps.db, g.accessCodeId);
      const waitMs = agent ? AGENT_GRANT_WAIT_MS : GRANT_WAIT_MS;
      if (now - g.at < waitMs && (agent || (await grantPending(deps.db, g.accessCodeId)))) {
        return send(
          req,
          reply,
          ctx,
          pages.preparingPage(ctx, { again: link(ctx, '/portal/connect', [['t', token]]), agent }),
        );
      }
    }
    const { hs } = ctx;
    // A voucher imported with its own password: the router is given the pair.
    const password = g.accessCodeId ? await backend.voucherPassword(deps, g.accessCodeId) : null;
    // After login the router sends the browser to our status page (it links on to link-orig).
    const dst = `${req.protocol}://${req.host}${link(ctx, '/portal/status')}`;
    const login = hs.linkLoginOnly
      ? loginForm({
          linkLoginOnly: hs.linkLoginOnly,
          code: g.code,
          password,
          chapId: hs.chapId,
          chapChallenge: hs.chapChallenge,
          dst,
        })
      : null;
    // Opened without the router's login page: an api-mode router can log the device in from here.
    if (!login && hs.ip && hs.mac) {
      const routerId = await routerIdOf(hs);
      if (
        routerId !== null &&
        (await serverLogin(deps, routerId, { code: g.code, password, ip: hs.ip, mac: hs.mac }))
      ) {
        return redirect(reply, link(ctx, '/portal/status'));
      }
    }
    return send(req, reply, ctx, pages.connectPage(ctx, { code: g.code, login }));
  });

  app.get('/status', async (req, reply) => {
    const ctx = await context(deps, req, reply, req.query as Params, { path: '/portal/status' });
    // Without the router's variables (its status link or our login's return address carry them)
    // there is no telling which device this is: say what is needed instead of "not connected".
    if (!ctx.hs.mac)
      return send(req, reply, ctx, pages.statusPage(ctx, { online: null, unknownDevice: true }));
    const online = await backend.timeLeft(deps, await returning(req, ctx.hs));
    // The full code only to the browser that was handed it (its sealed cookie), for this access.
    const mark = online
      ? await backend.paidHere(deps, cookieValue(req.headers.cookie, PAID_COOKIE), ctx.hs.mac)
      : null;
    const code = mark && online && mark.accessCodeId === online.accessCodeId ? mark.code : null;
    return send(req, reply, ctx, pages.statusPage(ctx, { online, code, logout: logoutUrl(ctx.hs) }));
  });
}

/** The hotspot's own log-out page sits beside its login page (MikroTik: /login → /logout). */
function logoutUrl(hs: Hotspot): string | null {
  if (!hs.linkLoginOnly) return null;
  const u = new URL(hs.linkLoginOnly);
  u.pathname = u.pathname.replace(/login$/, 'logout');
  if (!u.pathname.endsWith('logout')) return null;
  u.search = '';
  return u.toString();
}

/** Remembers a scanned ticket's code until the hotspot sends the device to the portal. */
const CODE_COOKIE = 'wavu_code';
const VOUCHER_SHAPE = /^[A-Za-z0-9-]{4,40}$/;

const isDay = (v: string | undefined): v is string =>
  !!v && /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(`${v}T00:00:00Z`));

/** Why a payment could not start, as the short code the form shows. */
function purchaseError(code: string): pages.FormError {
  if (code === 'payment_in_progress') return 'busy';
  if (code === 'validation') return 'phone';
  if (code === 'not_found') return 'plan';
  if (code === 'rate_limited') return 'wait';
  return 'paystart';
}

const waitParam = (s: number | undefined): [string, string][] => (s ? [['s', String(s)]] : []);

function seconds(v: unknown): number | undefined {
  const n = Number(str(v));
  return Number.isInteger(n) && n > 0 && n <= 600 ? n : undefined;
}

function codeParam(q: Params): [string, string][] {
  const c = str(q.code);
  return c ? [['code', c.slice(0, 40)]] : [];
}
