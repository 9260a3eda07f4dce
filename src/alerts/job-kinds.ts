/** The alerts feature's jobs: the check every minute and the webhook deliveries it queues. */
import { z } from 'zod';
import { defineJob, noPayload } from '../jobs/define.ts';
import { ALERTS } from './conditions.ts';

/** The webhook's JSON body (and the `alerts.webhook` payload). */
export const alertEventSchema = z.object({
  event: z.enum(['fired', 'recovered']),
  alert: z.enum(ALERTS),
  title: z.string(),
  subject: z.string(),
  message: z.string(),
  since: z.string(),
  at: z.string(),
});
export type AlertEvent = z.infer<typeof alertEventSchema>;

/** Recurring, once a minute; the next minute is the retry. */
export const ALERTS_CHECK_JOB = defineJob('alerts.check', noPayload, { maxAttempts: 1 });
export const WEBHOOK_JOB = defineJob('alerts.webhook', alertEventSchema, {
  maxAttempts: 8,
  backoff: { baseMs: 30_000, maxMs: 30 * 60_000 },
});
