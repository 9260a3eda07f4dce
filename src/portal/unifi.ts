/**
 * The portal's login for UniFi sites. The arrival (gateways/unifi) sends the browser to the usual
 * pages with `link-login-only` pointing here under a signed ticket naming the router and device,
 * so the connect page posts the code the way it posts to a MikroTik hotspot: the code is checked
 * (with the guessing limits, bound to that device), the controller is told by a grant job, and the
 * browser waits until it has been.
 */
import type { FastifyInstance } from 'fastify';
import type { Deps } from '../app/deps.ts';
import { redeemCode } from '../access/index.ts';
import { unifiGrantState, unifiLogin, unifiTicket } from '../gateways/index.ts';
import { httpUrl } from './hotspot.ts';
import { link } from './layout.ts';
import type { PortalKit } from './opennds.ts';
import * as pages from './pages.ts';

type Params = Record<string, unknown>;
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function unifiPortalRoutes(app: FastifyInstance, deps: Deps, kit: PortalKit): void {
  app.post('/unifi/login/:ticket', async (req, reply) => {
    const ticket = (req.params as { ticket: string }).ticket;
    const b = (req.body ?? {}) as Params;
    const ctx = await kit.context(req, reply, b, { path: '/portal' });
    const t = await unifiTicket(deps, ticket);
    if (!t) return kit.send(req, reply, ctx, pages.errorPage(ctx, { kind: 'not_found' }), 404);
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
    const code = (str(b.username) ?? '').trim().slice(0, 40);
    if (!code) return back('Enter your code.');
    const d = await redeemCode(deps, { code, mac: t.mac, routerId: t.routerId, ip: null, sourceIp: req.ip });
    if (!d.ok) return back(d.message);
    await unifiLogin(deps, t, d.accessCodeId);
    const dst = httpUrl(str(b.dst) ?? '');
    return kit.redirect(
      reply,
      `/portal/unifi/wait/${ticket}/${d.accessCodeId}${dst ? `?${new URLSearchParams({ dst })}` : ''}`,
    );
  });

  // The grant job authorises the device on the controller within moments; wait for it.
  app.get('/unifi/wait/:ticket/:code', async (req, reply) => {
    const p = req.params as { ticket: string; code: string };
    const q = (req.query ?? {}) as Params;
    const ctx = await kit.context(req, reply, q, { path: `/portal/unifi/wait/${p.ticket}/${p.code}` });
    const t = await unifiTicket(deps, p.ticket);
    const state = t && UUID.test(p.code) ? await unifiGrantState(deps, t, p.code) : 'none';
    if (state === 'none') return kit.send(req, reply, ctx, pages.errorPage(ctx, { kind: 'not_found' }), 404);
    const dst = httpUrl(str(q.dst) ?? '');
    if (state === 'granted') return kit.redirect(reply, dst ?? link(ctx, '/portal/status'));
    const again = `/portal/unifi/wait/${p.ticket}/${p.code}${dst ? `?${new URLSearchParams({ dst })}` : ''}`;
    return kit.send(req, reply, ctx, pages.preparingPage(ctx, { again, agent: true }));
  });
}
