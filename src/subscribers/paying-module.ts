/** Paying for subscriptions: the recurring reminder and auto-renew job (remind-due.ts). */
import type { Module } from '../app/module.ts';
import { REMIND_DUE_JOB, REMIND_EVERY_MS, remindDue } from './remind-due.ts';

export const subscriberPayingModule: Module = {
  name: 'subscriber-paying',
  jobs: (deps) => [
    {
      kind: REMIND_DUE_JOB,
      leaseMs: 5 * 60_000,
      async handle() {
        await remindDue(deps);
      },
    },
  ],
  recurring: () => [{ kind: REMIND_DUE_JOB, everyMs: REMIND_EVERY_MS }],
};
