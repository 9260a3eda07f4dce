/**
 * GET /metrics: the Prometheus scrape endpoint (instruments in registry.ts, gates in access.ts).
 * Served by the HTTP role; a `wavu worker` or `wavu radius` process, whose events (grants, SMS,
 * RADIUS requests) are counted in its own memory, serves it on METRICS_PORT when that is set.
 */
import type { FastifyInstance } from 'fastify';
import type { Deps } from '../app/deps.ts';
import type { Module } from '../app/module.ts';
import { buildServer, errorBody } from '../http/server.ts';
import { mayReadMetrics } from './access.ts';

function metricsRoute(app: FastifyInstance, deps: Deps): void {
  // Scrapes come every few seconds: not worth an info line each.
  app.get('/metrics', { logLevel: 'warn' }, async (req, reply) => {
    const token = deps.config.metricsToken;
    const allowed = mayReadMetrics(token, {
      ip: req.ip,
      authorization: req.headers.authorization,
      forwarded: req.headers['x-forwarded-for'] !== undefined || req.headers.forwarded !== undefined,
    });
    if (!allowed) {
      if (!token)
        return reply
          .code(403)
          .send(
            errorBody(
              'forbidden',
              'Metrics answer only on this machine; set METRICS_TOKEN to scrape from elsewhere.',
            ),
          );
      return reply
        .code(401)
        .header('www-authenticate', 'Bearer realm="metrics"')
        .send(
          errorBody('unauthorized', 'Send the metrics token as "Authorization: Bearer <METRICS_TOKEN>".'),
        );
    }
    const { contentType, body } = await deps.metrics.render();
    return reply.header('cache-control', 'no-store').type(contentType).send(body);
  });
}

const ownPort: Module = { name: 'metrics', routes: metricsRoute };

export const metricsModule: Module = {
  name: 'metrics',
  routes: metricsRoute,
  services: [
    {
      roles: ['worker', 'radius'],
      async start(deps) {
        const port = deps.config.metricsPort;
        if (port === undefined) return async () => {};
        const server = await buildServer(deps, [ownPort]);
        const url = await server.listen({ host: deps.config.host, port });
        deps.log.info({ url: `${url}/metrics` }, 'metrics listening');
        return () => server.close();
      },
    },
  ],
};
