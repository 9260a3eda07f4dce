import type { Module } from '../app/module.ts';
import { handler } from '../jobs/define.ts';
import { checkAlerts } from './check.ts';
import { ALERTS_CHECK_JOB, WEBHOOK_JOB } from './job-kinds.ts';
import { postWebhook } from './webhook.ts';

/** Alerts to the operator: a check every minute, and the webhook deliveries it queues. */
export const alertsModule: Module = {
  name: 'alerts',
  jobs: (deps) => [
    handler(ALERTS_CHECK_JOB, async () => void (await checkAlerts(deps))),
    handler(WEBHOOK_JOB, (p) => postWebhook(deps, p)),
  ],
  recurring: () => [{ job: ALERTS_CHECK_JOB, everyMs: 60_000 }],
};
