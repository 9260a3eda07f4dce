/**
 * PPP access as jobs: `subscriber.sync` (the router matches the row), `subscriber.fair-use`
 * (the cap was crossed) and the due-date enforcement every minute. The RADIUS side (Access and
 * Accounting for PPP) is called by the radius feature's server.
 */
import type { Module } from '../app/module.ts';
import { handler } from '../jobs/define.ts';
import { ENFORCE_JOB, FAIR_USE_JOB, SYNC_JOB } from './job-kinds.ts';
import { ENFORCE_EVERY_MS, enforceDueDates } from './ppp-enforce.ts';
import { syncSubscriber } from './ppp-sync.ts';

export const pppModule: Module = {
  name: 'subscribers-ppp',
  jobs: (deps) => [
    handler(SYNC_JOB, (p) => syncSubscriber(deps, p.subscriberId)),
    // The change is the rate only: a sync sends it (CoA on radius routers, the profile on api ones).
    handler(FAIR_USE_JOB, (p) => syncSubscriber(deps, p.subscriberId)),
    handler(ENFORCE_JOB, async () => void (await enforceDueDates(deps))),
  ],
  recurring: () => [{ job: ENFORCE_JOB, everyMs: ENFORCE_EVERY_MS }],
};
