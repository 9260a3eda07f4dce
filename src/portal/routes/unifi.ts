/**
 * The portal's login for UniFi sites. The arrival (gateways/unifi) sends the browser to the usual
 * pages with `link-login-only` pointing here under a signed ticket naming the router and device,
 * so the connect page posts the code the way it posts to a MikroTik hotspot: the code is checked
 * (with the guessing limits, bound to that device), the controller is told by a grant job, and the
 * browser waits until it has been.
 */
import { z } from 'zod';
import { redeemCode } from '../../access/index.ts';
import { unifiGrantState, unifiLogin, unifiTicket } from '../../gateways/index.ts';
import { httpUrl } from '../hotspot.ts';
import { type PortalRoutes, params, read, text } from '../http.ts';
import { link } from '../layout.ts';
import * as pages from '../pages.ts';

const dstField = text.transform((v) => httpUrl(v ?? ''));
const LoginForm = z.object({ username: text.transform((v) => (v ?? '').trim().slice(0, 40)), dst: dstField });
const WaitQuery = z.object({ dst: dstField });
/** The ticket, and the code's id (lower case, as the login route writes it). */
const WaitParams = z.object({
  ticket: z.string(),
  code: z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/),
});

const waitUrl = (ticket: string, code: string, dst: string | undefined) =>
  `/portal/unifi/wait/${ticket}/${code}${dst ? `?${new URLSearchParams({ dst })}` : ''}`;

export const unifiRoutes: PortalRoutes = (app, deps, kit) => {
  app.post('/unifi/login/:ticket', async (req, reply) => {
    const ticket = (req.params as { ticket: string }).ticket;
    const ctx = await kit.context(req, reply, req.body, { path: '/portal' });
    const t = await unifiTicket(deps, ticket);
    if (!t) return kit.notFound(req, reply, ctx);
    const back = (error: string) =>
      kit.redirect(
        reply,
        `/portal?${new URLSearchParams({
          router: t.routerName,
          mac: t.mac,
          'link-login-only': `${deps.config.publicUrl}/portal/unifi/login/${ticket}`,
          error,
        }).toString()}`,
      );
    const f = read(LoginForm, req.body);
    if (!f.username) return back('Enter your code.');
    const d = await redeemCode(deps, {
      code: f.username,
      mac: t.mac,
      routerId: t.routerId,
      ip: null,
      sourceIp: req.ip,
    });
    if (!d.ok) return back(d.message);
    await unifiLogin(deps, t, d.accessCodeId);
    return kit.redirect(reply, waitUrl(ticket, d.accessCodeId, f.dst));
  });

  // The grant job authorises the device on the controller within moments; wait for it.
  app.get('/unifi/wait/:ticket/:code', async (req, reply) => {
    const p = req.params as { ticket: string; code: string };
    const ctx = await kit.context(req, reply, req.query, {
      path: `/portal/unifi/wait/${p.ticket}/${p.code}`,
    });
    const valid = params(WaitParams, req);
    const t = valid ? await unifiTicket(deps, valid.ticket) : null;
    const state = valid && t ? await unifiGrantState(deps, t, valid.code) : 'none';
    if (state === 'none') return kit.notFound(req, reply, ctx);
    const { dst } = read(WaitQuery, req.query);
    if (state === 'granted') return kit.redirect(reply, dst ?? link(ctx, '/portal/status'));
    return kit.send(
      req,
      reply,
      ctx,
      pages.preparingPage(ctx, { again: waitUrl(p.ticket, p.code, dst), agent: true }),
    );
  });
};
