/**
 * The landing page: packages and phone, the voucher box, "Reconnect" for a device that still has
 * time, and the paid-but-not-online page for a browser the router sent back after paying.
 */
import { z } from 'zod';
import { listPlansOnSale } from '../../plans/index.ts';
import * as backend from '../backend.ts';
import { cut, formError, type PortalRoutes, read, text, waitSeconds } from '../http.ts';
import { cookieValue } from '../i18n/index.ts';
import { link } from '../layout.ts';
import * as pages from '../pages.ts';
import { PAID_COOKIE } from '../token.ts';
import { CODE_COOKIE, codeParam, VOUCHER_SHAPE } from './voucher.ts';

const HomeQuery = z.object({
  code: text,
  more: text,
  plan: text.transform((v) => {
    const n = Number(v);
    return Number.isSafeInteger(n) ? n : undefined;
  }),
  phone: cut(20),
  e: formError,
  s: waitSeconds,
});

export const homeRoutes: PortalRoutes = (app, deps, kit) => {
  // A device that still has time gets "Reconnect" (only when the router confirms the device: a
  // typed MAC sees the plain packages page).
  app.get('/', async (req, reply) => {
    const q = read(HomeQuery, req.query);
    const ctx = await kit.context(req, reply, req.query, { path: '/portal' });
    // Tickets printed before the QR code opened /portal/voucher still carry ?code=: the voucher
    // page, filled in and ready to connect, not an empty box.
    const code = codeParam(q.code);
    if (code.length) return kit.redirect(reply, link(ctx, '/portal/voucher', code));
    const plans = await listPlansOnSale(deps.db);
    // Paid, then sent back here by the router (its login failed or never finished): the code and
    // a retry, not the packages (`more=1` is the way on to buy something else).
    const paid =
      q.more === '1'
        ? null
        : await backend.paidHere(deps, cookieValue(req.headers.cookie, PAID_COOKIE), ctx.hs.mac);
    if (paid) {
      return kit.send(
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
    const voucher = cookieValue(req.headers.cookie, CODE_COOKIE);
    const left = await backend.timeLeft(deps, await kit.returning(req, ctx.hs));
    const welcome: pages.WelcomeBack | undefined = left ? { secondsLeft: left.secondsLeft } : undefined;
    return kit.send(
      req,
      reply,
      ctx,
      pages.homePage(ctx, {
        plans,
        planId: q.plan,
        phone: q.phone,
        error: q.e,
        waitSeconds: q.s,
        welcome,
        code: voucher && VOUCHER_SHAPE.test(voucher) ? voucher : undefined,
      }),
    );
  });

  // The router's login.html may post the hotspot variables (MikroTik's external-portal pattern):
  // keep only the valid ones and continue as a plain GET.
  app.post('/', async (req, reply) => {
    const ctx = await kit.context(req, reply, req.body, { path: '/portal' });
    const err: [string, string][] = ctx.hs.error ? [['error', ctx.hs.error]] : [];
    return kit.redirect(reply, link(ctx, '/portal', err));
  });

  // Back online without the code ever reaching the browser (see returning.ts).
  app.post('/reconnect', async (req, reply) => {
    const ctx = await kit.context(req, reply, req.body, { path: '/portal' });
    const r = await backend.reconnect(deps, await kit.returning(req, ctx.hs));
    if (r === 'online') return kit.redirect(reply, link(ctx, '/portal/status'));
    return kit.redirect(reply, link(ctx, '/portal', [['e', r === 'too_many' ? 'too_many' : 'reconnect']]));
  });
};
