/**
 * Logging the device in at the router (see pages.connectPage): the connect page, which waits while
 * the router is still being given the access, and "Try again" on the paid page.
 */
import { z } from 'zod';
import { connectWait } from '../../gateways/index.ts';
import * as backend from '../backend.ts';
import { type PortalRoutes, read, text } from '../http.ts';
import { cookieValue } from '../i18n/index.ts';
import { link } from '../layout.ts';
import { loginForm, serverLogin } from '../login.ts';
import * as pages from '../pages.ts';
import { openGrant, PAID_COOKIE, PAID_COOKIE_MAX_AGE_S, sealPaid } from '../token.ts';

const ConnectQuery = z.object({ t: text.transform((v) => v ?? '') });

export const connectRoutes: PortalRoutes = (app, deps, kit) => {
  // "Try again" on the paid page: push the access to the router again, then log in once more.
  app.post('/paid/retry', async (req, reply) => {
    const ctx = await kit.context(req, reply, req.body, { path: '/portal' });
    const paid = await backend.paidHere(deps, cookieValue(req.headers.cookie, PAID_COOKIE), ctx.hs.mac);
    if (!paid) return kit.redirect(reply, link(ctx, '/portal'));
    await backend.pushAgain(deps, paid.accessCodeId, await kit.routerIdOf(ctx.hs));
    return kit.redirect(reply, kit.connectUrl(ctx, paid.code, paid.accessCodeId));
  });

  app.get('/connect', async (req, reply) => {
    const { t: token } = read(ConnectQuery, req.query);
    const ctx = await kit.context(req, reply, req.query, { path: '/portal/connect', params: [['t', token]] });
    const now = deps.clock.now().getTime();
    const g = openGrant(deps.sealer, token, now);
    if (!g) return kit.notFound(req, reply, ctx);
    if (g.accessCodeId) {
      // If the router's login fails and sends the browser back, the portal knows it paid (paid.ts).
      reply.header(
        'set-cookie',
        `${PAID_COOKIE}=${encodeURIComponent(sealPaid(deps.sealer, { code: g.code, accessCodeId: g.accessCodeId, mac: ctx.hs.mac ?? null }, now))}; Path=/portal; Max-Age=${PAID_COOKIE_MAX_AGE_S}; HttpOnly; SameSite=Lax`,
      );
      const w = await connectWait(deps, g.accessCodeId, g.at);
      if (w.wait) {
        return kit.send(
          req,
          reply,
          ctx,
          pages.preparingPage(ctx, { again: link(ctx, '/portal/connect', [['t', token]]), agent: w.agent }),
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
      const routerId = await kit.routerIdOf(hs);
      if (
        routerId !== null &&
        (await serverLogin(deps, routerId, { code: g.code, password, ip: hs.ip, mac: hs.mac }))
      ) {
        return kit.redirect(reply, link(ctx, '/portal/status'));
      }
    }
    return kit.send(req, reply, ctx, pages.connectPage(ctx, { code: g.code, login }));
  });
};
