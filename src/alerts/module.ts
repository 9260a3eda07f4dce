import type { Module } from '../app/module.ts';
import { type AlertEvent, checkAlerts, WEBHOOK_JOB } from './check.ts';
import { postWebhook } from './webhook.ts';

export const ALERTS_CHECK_JOB = 'alerts.check';

/** Alerts to the operator: a check every minute, and the webhook deliveries it queues. */
export const alertsModule: Module = {
  name: 'alerts',
  jobs: (deps) => [
    { kind: ALERTS_CHECK_JOB, handle: async () => void (await checkAlerts(deps)), maxAttempts: 3 },
    {
      kind: WEBHOOK_JOB,
      handle: (p: AlertEvent) => postWebhook(deps, p),
      backoff: { baseMs: 30_000, maxMs: 30 * 60_000 },
    },
  ],
  recurring: () => [{ kind: ALERTS_CHECK_JOB, everyMs: 60_000 }],
};
