/** Paying for subscriptions: the recurring reminder and auto-renew job (remind-due.ts). */
import type { Module } from '../app/module.ts';
import { handler } from '../jobs/define.ts';
import { REMIND_DUE_JOB } from './job-kinds.ts';
import { REMIND_EVERY_MS, remindDue } from './remind-due.ts';

export const subscriberPayingModule: Module = {
  name: 'subscriber-paying',
  jobs: (deps) => [
    handler(REMIND_DUE_JOB, async () => {
      await remindDue(deps);
    }),
  ],
  recurring: () => [{ job: REMIND_DUE_JOB, everyMs: REMIND_EVERY_MS }],
};
