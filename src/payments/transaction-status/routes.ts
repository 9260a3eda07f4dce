/**
 * M-Pesa's Transaction Status answers. Kept apart from the STK and C2B callback routes: always
 * 200 with the same body (M-Pesa does not retry, and a forger learns nothing).
 */
import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../app/deps.ts';
import { RESULT_ACK } from '../../protocols/daraja/index.ts';
import { handleStatusResult } from './handle-result.ts';

export function statusCallbackRoutes(deps: Deps) {
  return async (scope: FastifyInstance) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'string' }, (_req, text, done) => {
      try {
        done(null, JSON.parse(text as string));
      } catch {
        done(null, null);
      }
    });
    for (const [path, timedOut] of [
      ['/callbacks/status/result/:secret', false],
      ['/callbacks/status/timeout/:secret', true],
    ] as const) {
      scope.post(path, { bodyLimit: 64 * 1024 }, async (req) => {
        const { secret } = req.params as { secret: string };
        try {
          const outcome = await handleStatusResult(deps, { secret, body: req.body, timedOut });
          req.log.info({ outcome }, 'Transaction Status result');
        } catch (e) {
          req.log.error({ err: e }, 'Transaction Status result processing failed');
        }
        return RESULT_ACK;
      });
    }
  };
}
