/**
 * The external portal address UniFi sends guests to. The controller builds
 * `<portal>/guest/s/<site>/?id=…`: with the portal set to Wavu's address that is `/guest/s/<site>/`;
 * where several Wavu routers share a site name, each controller's portal is `/unifi/<router id>`,
 * which makes it `/unifi/<id>/guest/s/<site>/`. Thin: the use case checks, this redirects.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Deps } from '../../app/deps.ts';
import { unifiArrival } from './login.ts';

export function unifiRoutes(app: FastifyInstance, deps: Deps): void {
  const arrive = async (req: FastifyRequest, reply: FastifyReply) => {
    const p = req.params as { site: string; router?: string };
    const a = await unifiArrival(deps, {
      site: p.site,
      ...(p.router !== undefined ? { routerId: p.router } : {}),
      query: (req.query ?? {}) as Record<string, unknown>,
    });
    const to = new URLSearchParams({
      router: a.routerName,
      mac: a.mac,
      'link-login-only': `${deps.config.publicUrl.replace(/\/$/, '')}/portal/unifi/login/${a.ticket}`,
      ...(a.originUrl ? { 'link-orig': a.originUrl } : {}),
    });
    return reply.code(303).header('cache-control', 'no-store').redirect(`/portal?${to.toString()}`, 303);
  };
  for (const path of [
    '/guest/s/:site',
    '/guest/s/:site/',
    '/unifi/:router/guest/s/:site',
    '/unifi/:router/guest/s/:site/',
  ])
    app.get(path, arrive);
}
