/**
 * GET /metrics: the Prometheus scrape endpoint (instruments in registry.ts, gates in access.ts).
 * Served by the HTTP role; a `wavu worker` or `wavu radius` process, whose events (grants, SMS,
 * RADIUS requests) are counted in its own memory, serves it on METRICS_PORT when that is set.
 */
import type { FastifyInstance } from 'fastify';
import type { Deps } from '../app/deps.ts';
import type { Module } from '../app/module.ts';

// The route and the HTTP stack are imported only where they are served: by the HTTP role, or by
// another role when METRICS_PORT is set.
const metricsRoute = async (app: FastifyInstance, deps: Deps) =>
  (await import('./route.ts')).metricsRoute(app, deps);

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
        const { buildServer } = await import('../http/server.ts');
        const server = await buildServer(deps, [ownPort]);
        const url = await server.listen({ host: deps.config.host, port });
        deps.log.info({ url: `${url}/metrics` }, 'metrics listening');
        return () => server.close();
      },
    },
  ],
};
