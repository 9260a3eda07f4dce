/** The agent endpoint: thin, the token is checked and the report parsed in the use case. */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Deps } from '../../app/deps.ts';
import { agentPoll } from './poll.ts';
import { MAX_REPORT_BYTES } from './report.ts';

const Query = z.object({ wait: z.coerce.number().int().min(0).max(60).default(0) });

export function agentRoutes(app: FastifyInstance, deps: Deps): void {
  app.register(async (scope) => {
    // The router posts text; whatever the content type, the use case gets the raw text.
    scope.addContentTypeParser('*', { parseAs: 'string' }, (_req, text, done) => done(null, text));
    scope.post('/agent/v1/poll', { bodyLimit: MAX_REPORT_BYTES * 4 }, async (req, reply) => {
      const q = Query.parse(req.query);
      const ac = new AbortController();
      // The router gave up (or the connection broke): stop holding the poll.
      reply.raw.once('close', () => ac.abort());
      const r = await agentPoll(deps, {
        authorization: req.headers.authorization,
        body: typeof req.body === 'string' ? req.body : '',
        wait: q.wait,
        signal: ac.signal,
      });
      return reply.header('cache-control', 'no-store').type('text/plain; charset=utf-8').send(r.script);
    });
  });
}
