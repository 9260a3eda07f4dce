import type { Module } from '../app/module.ts';
import { handler } from '../jobs/define.ts';
import { expireOnTime, SWEEP_EVERY_MS, sweepExpired } from './expire-job.ts';
import { EXPIRE_JOB, EXPIRE_SWEEP_JOB, REMIND_JOB } from './job-kinds.ts';
import { remindExpiry } from './remind-expiry.ts';

/** Access feature: redeem/recover API, expiry jobs (the core use cases live beside this file). */
export const accessModule: Module = {
  name: 'access',
  // Imported by the HTTP role only (see app/modules.ts), as in every module's routes.
  async routes(app, deps) {
    (await import('./routes.ts')).registerAccessRoutes(app, deps);
    // Revoking is staff-only: the admin feature serves it at /api/admin/codes/:id/revoke.
  },
  jobs: (deps) => [
    handler(EXPIRE_JOB, async (p) => {
      await expireOnTime(deps, p.accessCodeId);
    }),
    handler(REMIND_JOB, async (p) => {
      await remindExpiry(deps, p);
    }),
    handler(EXPIRE_SWEEP_JOB, async () => {
      await sweepExpired(deps);
    }),
  ],
  recurring: () => [{ job: EXPIRE_SWEEP_JOB, everyMs: SWEEP_EVERY_MS }],
};
