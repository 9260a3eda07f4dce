import type { Module } from '../app/module.ts';
import { deliverSms } from './deliver-sms.ts';
import { receiveInboundSms } from './inbound-sms.ts';
import { SMS_SEND_JOB } from './job-kinds.ts';
import { handler } from '../jobs/define.ts';

const FORM = 'application/x-www-form-urlencoded';

/** Sends of one SMS before it is marked failed (its job row may allow more attempts). */
export const SMS_MAX_ATTEMPTS = 8;

/**
 * Notify feature: the `sms.send` job handler (queueSms writes the rows and the jobs), and the
 * webhook the SMS gateway forwards customers' replies to.
 */
export const notifyModule: Module = {
  name: 'notify',
  async routes(app, deps) {
    await app.register(async (scope) => {
      // Africa's Talking posts a form; JSON (other gateways, tests) is read by the default parser.
      scope.addContentTypeParser(FORM, { parseAs: 'string', bodyLimit: 16_384 }, (_req, body, done) => {
        done(null, Object.fromEntries(new URLSearchParams(String(body))));
      });
      // Always 200, as the M-Pesa webhooks: the gateway does not need to know, nor a forger.
      scope.post('/callbacks/sms/:secret', async (req) => {
        const { secret } = req.params as { secret: string };
        const b = (req.body ?? {}) as Record<string, unknown>;
        await receiveInboundSms(deps, { secret, from: b.from, text: b.text });
        return { ok: true };
      });
    });
  },
  jobs: (deps) => [
    handler(SMS_SEND_JOB, async (payload, ctx) => {
      const r = await deliverSms(deps, payload.smsId, {
        // The job row's max_attempts comes from whoever enqueued it; the SMS cap is ours.
        isLast: ctx.job.attempts >= Math.min(ctx.job.maxAttempts, SMS_MAX_ATTEMPTS),
      });
      // Throwing hands the job back to the worker's backoff; the row keeps the reason.
      if (r.status === 'retry') throw new Error(r.error);
    }),
  ],
};
