import type { Module } from '../app/module.ts';
import { deliverSms } from './deliver-sms.ts';

export const SMS_SEND = 'sms.send';
export const SMS_MAX_ATTEMPTS = 8;

/** Notify feature: the `sms.send` job handler (queueSms writes the rows and the jobs). */
export const notifyModule: Module = {
  name: 'notify',
  jobs: (deps) => [
    {
      kind: SMS_SEND,
      maxAttempts: SMS_MAX_ATTEMPTS,
      // 5 s, 10 s, 20 s … capped at 10 min: about half an hour of trying before giving up.
      backoff: { baseMs: 5_000, maxMs: 10 * 60_000 },
      leaseMs: 60_000,
      async handle(payload: { smsId: string }, ctx) {
        const r = await deliverSms(deps, payload.smsId, {
          // The job row's max_attempts comes from whoever enqueued it; the SMS cap is ours.
          isLast: ctx.job.attempts >= Math.min(ctx.job.maxAttempts, SMS_MAX_ATTEMPTS),
        });
        // Throwing hands the job back to the worker's backoff; the row keeps the reason.
        if (r.status === 'retry') throw new Error(r.error);
      },
    },
  ],
};
