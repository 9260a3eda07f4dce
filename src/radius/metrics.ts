/**
 * RADIUS requests counted and timed around the handlers, outside the request path itself: the
 * server's drops before a handler (bad secret, unknown NAS…) stay in its own stats and logs.
 */
import type { Metrics, RadiusRequestType } from '../metrics/index.ts';
import { RadiusCode } from '../protocols/radius/index.ts';
import type { RadiusHandlers, RadiusReply, RadiusRequest } from './server.ts';

const OUTCOME: Record<number, string> = {
  [RadiusCode.AccessAccept]: 'accept',
  [RadiusCode.AccessReject]: 'reject',
  [RadiusCode.AccessChallenge]: 'challenge',
  [RadiusCode.AccountingResponse]: 'response',
};

export function measuredHandlers(metrics: Metrics, h: RadiusHandlers): RadiusHandlers {
  const measure =
    (type: RadiusRequestType, fn: (req: RadiusRequest) => Promise<RadiusReply | null>) =>
    async (req: RadiusRequest) => {
      const started = performance.now();
      const took = () => (performance.now() - started) / 1000;
      try {
        const reply = await fn(req);
        metrics.radius(type, reply ? (OUTCOME[reply.code] ?? 'other') : 'drop', took());
        return reply;
      } catch (e) {
        metrics.radius(type, 'error', took());
        throw e;
      }
    };
  return { access: measure('access', h.access), accounting: measure('accounting', h.accounting) };
}
