/**
 * The portal's login for openNDS routers. The FAS entry (gateways/opennds) sends the browser to
 * the usual pages with `link-login-only` pointing here, so the connect page posts the code to
 * this route the way it posts to a MikroTik hotspot: the code is checked (with the guessing
 * limits, bound to the device openNDS named), then the gateway is told through its own path.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Deps } from '../app/deps.ts';
import { redeemCode } from '../access/index.ts';
import { openndsClient, openndsLogin, openndsLoginState } from '../gateways/index.ts';
import { isAppError } from '../lib/errors.ts';
import { httpUrl } from './hotspot.ts';
import type { Html } from './html.ts';
import { link, type PageCtx } from './layout.ts';
import * as pages from './pages.ts';

type Params = Record<string, unknown>;
const TOKEN = /^[A-Za-z0-9_-]{20,64}$/;
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

export interface PortalKit {
  context(req: FastifyRequest, reply: FastifyReply, input: Params, self: PageCtx['self']): Promise<PageCtx>;
  send(req: FastifyRequest, reply: FastifyReply, ctx: PageCtx, body: Html, status?: number): unknown;
  redirect(reply: FastifyReply, to: string): unknown;
}

export function openndsPortalRoutes(app: FastifyInstance, deps: Deps, kit: PortalKit): void {
  app.post('/opennds/login/:token', async (req, reply) => {
    const token = (req.params as { token: string }).token;
    const b = (req.body ?? {}) as Params;
    const ctx = await kit.context(req, reply, b, { path: '/portal' });
    if (!TOKEN.test(token))
      return kit.send(req, reply, ctx, pages.errorPage(ctx, { kind: 'not_found' }), 404);
    const client = await openndsClient(deps, token).catch((e) => {
      if (isAppError(e)) return null;
      throw e;
    });
    if (!client) return kit.send(req, reply, ctx, pages.errorPage(ctx, { kind: 'not_found' }), 404);
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
    const code = (str(b.username) ?? '').trim().slice(0, 40);
    if (!code) return back('Enter your code.');
    const d = await redeemCode(deps, {
      code,
      mac: client.mac,
      routerId: Number(client.router_id),
      ip: client.ip,
      sourceIp: req.ip,
    });
    if (!d.ok) return back(d.message);
    const dst = httpUrl(str(b.dst) ?? '') ?? null;
    const r = await openndsLogin(deps, token, d, dst);
    if (r.level === 1) return kit.redirect(reply, r.redirect);
    return kit.redirect(
      reply,
      `/portal/opennds/wait/${token}${dst ? `?${new URLSearchParams({ dst })}` : ''}`,
    );
  });

  // Level 3: authmon collects the authorisation on its next poll (10 s by default); wait for it.
  app.get('/opennds/wait/:token', async (req, reply) => {
    const token = (req.params as { token: string }).token;
    const q = (req.query ?? {}) as Params;
    const ctx = await kit.context(req, reply, q, { path: `/portal/opennds/wait/${token}` });
    const state = TOKEN.test(token) ? await openndsLoginState(deps, token).catch(() => null) : null;
    if (!state) return kit.send(req, reply, ctx, pages.errorPage(ctx, { kind: 'not_found' }), 404);
    const dst = httpUrl(str(q.dst) ?? '');
    if (state === 'authed') return kit.redirect(reply, dst ?? link(ctx, '/portal/status'));
    if (state !== 'auth_pending') return kit.redirect(reply, link(ctx, '/portal'));
    const again = `/portal/opennds/wait/${token}${dst ? `?${new URLSearchParams({ dst })}` : ''}`;
    return kit.send(req, reply, ctx, pages.preparingPage(ctx, { again, agent: true }));
  });
}
