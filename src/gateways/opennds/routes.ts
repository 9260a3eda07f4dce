/**
 * The FAS address openNDS is configured with (`faspath /opennds/<router id>/`): the client's
 * browser GETs it with `fas` (and `iv`); authmon and Wavu's deauth poller POST to it. Thin: the
 * use cases decode, check and answer.
 */
import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../app/deps.ts';
import { isAppError } from '../../lib/errors.ts';
import { openndsArrival } from './arrival.ts';
import { openndsPoll } from './poll.ts';

const FORM = 'application/x-www-form-urlencoded';
type Params = Record<string, unknown>;

export function openndsRoutes(app: FastifyInstance, deps: Deps): void {
  app.register(async (scope) => {
    scope.addContentTypeParser(FORM, { parseAs: 'string', bodyLimit: 256 * 1024 }, (_req, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(String(body))));
    });
    scope.get('/opennds/:router/', async (req, reply) => {
      const q = (req.query ?? {}) as Params;
      const a = await openndsArrival(deps, {
        routerId: (req.params as { router: string }).router,
        fas: q.fas,
        iv: q.iv,
      });
      const to = new URLSearchParams({
        router: a.routerName,
        mac: a.mac,
        ...(a.ip ? { ip: a.ip } : {}),
        'link-login-only': `${deps.config.publicUrl.replace(/\/$/, '')}/portal/opennds/login/${a.token}`,
        ...(a.originUrl ? { 'link-orig': a.originUrl } : {}),
      });
      return reply.code(303).header('cache-control', 'no-store').redirect(`/portal?${to.toString()}`, 303);
    });
    scope.post('/opennds/:router/', async (req, reply) => {
      const b = (req.body ?? {}) as Params;
      try {
        const text = await openndsPoll(deps, {
          routerId: (req.params as { router: string }).router,
          authGet: b.auth_get,
          gatewayhash: b.gatewayhash,
          payload: b.payload,
        });
        return reply.header('cache-control', 'no-store').type('text/plain; charset=utf-8').send(text);
      } catch (e) {
        // authmon logs any answer that does not start with "*"; keep it to one plain line.
        if (!isAppError(e)) throw e;
        return reply
          .code(e.code === 'forbidden' ? 403 : 400)
          .type('text/plain')
          .send(e.message);
      }
    });
  });
}
