/** The notify feature's job: deliver one queued SMS (queue-sms.ts writes the row and the job). */
import { z } from 'zod';
import { defineJob } from '../jobs/define.ts';

/**
 * Rows get 12 attempts; the SMS itself gives up after SMS_MAX_ATTEMPTS sends (notify/module.ts),
 * which is what the handler counts.
 */
export const SMS_SEND_JOB = defineJob('sms.send', z.object({ smsId: z.string() }), {
  maxAttempts: 12,
  // 5 s, 10 s, 20 s … capped at 10 min: about half an hour of trying before giving up.
  backoff: { baseMs: 5_000, maxMs: 10 * 60_000 },
  leaseMs: 60_000,
});
