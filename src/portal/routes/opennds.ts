/**
 * The portal's login for openNDS routers. The FAS entry (gateways/opennds) sends the browser to
 * the usual pages with `link-login-only` pointing here, so the connect page posts the code to
 * this route the way it posts to a MikroTik hotspot: the code is checked (with the guessing
 * limits, bound to the device openNDS named), then the gateway is told through its own path.
 */
import { z } from 'zod';
import { redeemCode } from '../../access/index.ts';
import { openndsClient, openndsLogin, openndsLoginState } from '../../gateways/index.ts';
import { isAppError } from '../../lib/errors.ts';
import { httpUrl } from '../hotspot.ts';
import { type PortalRoutes, params, read, text } from '../http.ts';
import { link } from '../layout.ts';
import * as pages from '../pages.ts';

const Token = z.object({ token: z.string().regex(/^[A-Za-z0-9_-]{20,64}$/) });
/** Where the browser was going, when it is a plain http(s) address. */
const dstField = text.transform((v) => httpUrl(v ?? ''));
const LoginForm = z.object({ username: text.transform((v) => (v ?? '').trim().slice(0, 40)), dst: dstField });
const WaitQuery = z.object({ dst: dstField });

const waitUrl = (token: string, dst: string | undefined) =>
  `/portal/opennds/wait/${token}${dst ? `?${new URLSearchParams({ dst })}` : ''}`;

export const openndsRoutes: PortalRoutes = (app, deps, kit) => {
  app.post('/opennds/login/:token', async (req, reply) => {
    const ctx = await kit.context(req, reply, req.body, { path: '/portal' });
    const p = params(Token, req);
    if (!p) return kit.notFound(req, reply, ctx);
    const { token } = p;
    const client = await openndsClient(deps, token).catch((e) => {
      if (isAppError(e)) return null;
      throw e;
    });
    if (!client) return kit.notFound(req, reply, ctx);
    const back = (error: string) =>
      kit.redirect(
        reply,
        `/portal?${new URLSearchParams({
          router: client.routerName,
          mac: client.mac,
          ...(client.ip ? { ip: client.ip } : {}),
          'link-login-only': `${deps.config.publicUrl}/portal/opennds/login/${token}`,
          error,
        }).toString()}`,
      );
    const f = read(LoginForm, req.body);
    if (!f.username) return back('Enter your code.');
    const d = await redeemCode(deps, {
      code: f.username,
      mac: client.mac,
      routerId: Number(client.router_id),
      ip: client.ip,
      sourceIp: req.ip,
    });
    if (!d.ok) return back(d.message);
    const dst = f.dst ?? null;
    const r = await openndsLogin(deps, token, d, dst);
    if (r.level === 1) return kit.redirect(reply, r.redirect);
    return kit.redirect(reply, waitUrl(token, f.dst));
  });

  // Level 3: authmon collects the authorisation on its next poll (10 s by default); wait for it.
  app.get('/opennds/wait/:token', async (req, reply) => {
    const token = (req.params as { token: string }).token;
    const ctx = await kit.context(req, reply, req.query, { path: `/portal/opennds/wait/${token}` });
    const p = params(Token, req);
    const state = p ? await openndsLoginState(deps, p.token).catch(() => null) : null;
    if (!state) return kit.notFound(req, reply, ctx);
    const { dst } = read(WaitQuery, req.query);
    if (state === 'authed') return kit.redirect(reply, dst ?? link(ctx, '/portal/status'));
    if (state !== 'auth_pending') return kit.redirect(reply, link(ctx, '/portal'));
    return kit.send(req, reply, ctx, pages.preparingPage(ctx, { again: waitUrl(token, dst), agent: true }));
  });
};
