/**
 * Voucher (or any access code) login: the code box, prefilled from a printed ticket's QR link, and
 * the form that checks the code for this device and hands it to the connect page.
 */
import { z } from 'zod';
import * as backend from '../backend.ts';
import { check, fail, formError, type PortalRoutes, read, text } from '../http.ts';
import { cookieValue } from '../i18n/index.ts';
import { link } from '../layout.ts';
import * as pages from '../pages.ts';

/** Remembers a scanned ticket's code until the hotspot sends the device to the portal. */
export const CODE_COOKIE = 'wavu_code';
export const VOUCHER_SHAPE = /^[A-Za-z0-9-]{4,40}$/;

/** `?code=` carried on to the voucher page (and its language links). */
export const codeParam = (code: string | undefined): [string, string][] =>
  code ? [['code', code.slice(0, 40)]] : [];

const VoucherQuery = z.object({ code: text, e: formError, pw: text });

/** What was typed; `username`/`password` too: the field names of a MikroTik-style login form. */
const VoucherTyped = z.object({ code: text, username: text, password: text }).transform((f) => ({
  code: (f.code ?? f.username ?? '').trim().slice(0, 40),
  password: (f.password ?? '').trim().slice(0, 64) || null,
}));
const VoucherForm = z.object({
  code: z.string().transform((v, c) => (v ? v : fail(c, 'code'))),
  password: z.string().nullable(),
});

export const voucherRoutes: PortalRoutes = (app, deps, kit) => {
  app.get('/voucher', async (req, reply) => {
    const q = read(VoucherQuery, req.query);
    const ctx = await kit.context(req, reply, req.query, {
      path: '/portal/voucher',
      params: codeParam(q.code),
    });
    // A scanned ticket opened outside the hotspot's login page (no device to connect yet): keep
    // the code for a while, so the portal page the router shows next has it filled in.
    const typed = q.code?.trim().slice(0, 40);
    if (typed && !ctx.hs.mac && VOUCHER_SHAPE.test(typed))
      reply.header(
        'set-cookie',
        `${CODE_COOKIE}=${typed}; Path=/portal; Max-Age=900; HttpOnly; SameSite=Lax`,
      );
    return kit.send(
      req,
      reply,
      ctx,
      pages.voucherPage(ctx, { code: q.code?.slice(0, 40), error: q.e, askPassword: q.pw === '1' }),
    );
  });

  app.post('/voucher', async (req, reply) => {
    const ctx = await kit.context(req, reply, req.body, { path: '/portal/voucher' });
    const typed = read(VoucherTyped, req.body);
    const back = (e: pages.FormError) =>
      kit.redirect(
        reply,
        link(ctx, '/portal/voucher', [
          ['e', e],
          ['code', typed.code],
          // A password was tried: keep its box (never its value).
          ...(typed.password ? ([['pw', '1']] as [string, string][]) : []),
        ]),
      );
    const f = check(VoucherForm, typed, 'code');
    if (!f.ok) return back(f.error);
    if (!ctx.hs.mac) return back('no_device');
    const d = await backend.redeem(deps, {
      code: f.data.code,
      password: f.data.password,
      mac: ctx.hs.mac,
      routerId: await kit.routerIdOf(ctx.hs),
      ip: ctx.hs.ip ?? null,
      sourceIp: req.ip,
    });
    if (!d.ok) return back(d.reason);
    if (cookieValue(req.headers.cookie, CODE_COOKIE))
      reply.header('set-cookie', `${CODE_COOKIE}=; Path=/portal; Max-Age=0; HttpOnly; SameSite=Lax`);
    return kit.redirect(reply, kit.connectUrl(ctx, d.code, d.accessCodeId));
  });
};
