/** GET /metrics (gates in access.ts): apart from module.ts, which every role loads, as it needs the HTTP stack. */
import type { FastifyInstance } from 'fastify';
import type { Deps } from '../app/deps.ts';
import { errorBody } from '../http/errors.ts';
import { mayReadMetrics } from './access.ts';

export function metricsRoute(app: FastifyInstance, deps: Deps): void {
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
