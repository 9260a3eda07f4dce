import type { Module } from '../app/module.ts';
import { EXPIRE_JOB, EXPIRE_SWEEP_JOB, expireOnTime, SWEEP_EVERY_MS, sweepExpired } from './expire-job.ts';
import { REMIND_JOB, remindExpiry } from './remind-expiry.ts';

/** Access feature: redeem/recover API, expiry jobs (the core use cases live beside this file). */
export const accessModule: Module = {
  name: 'access',
  // Imported by the HTTP role only (see app/modules.ts), as in every module's routes.
  async routes(app, deps) {
    (await import('./routes.ts')).registerAccessRoutes(app, deps);
    // Revoking is staff-only: the admin feature serves it at /api/admin/codes/:id/revoke.
  },
  jobs: (deps) => [
    {
      kind: EXPIRE_JOB,
      backoff: { baseMs: 1_000, maxMs: 60_000 },
      // Access ends on time even when the worker that took the job dies.
      leaseMs: 30_000,
      async handle(p: { accessCodeId: string }) {
        await expireOnTime(deps, p.accessCodeId);
      },
    },
    {
      kind: REMIND_JOB,
      maxAttempts: 5,
      backoff: { baseMs: 5_000, maxMs: 60_000 },
      async handle(p: { accessCodeId: string; expiresAt: number }) {
        await remindExpiry(deps, p);
      },
    },
    {
      kind: EXPIRE_SWEEP_JOB,
      leaseMs: 2 * 60_000,
      async handle() {
        await sweepExpired(deps);
      },
    },
  ],
  recurring: () => [{ kind: EXPIRE_SWEEP_JOB, everyMs: SWEEP_EVERY_MS }],
};
