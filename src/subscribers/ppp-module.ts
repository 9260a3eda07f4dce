/**
 * PPP access as jobs: `subscriber.sync` (the router matches the row), `subscriber.fair-use`
 * (the cap was crossed) and the due-date enforcement every minute. The RADIUS side (Access and
 * Accounting for PPP) is called by the radius feature's server.
 */
import type { Module } from '../app/module.ts';
import { ENFORCE_EVERY_MS, ENFORCE_JOB, enforceDueDates } from './ppp-enforce.ts';
import { FAIR_USE_JOB } from './ppp-accounting.ts';
import { SYNC_JOB, syncSubscriber } from './ppp-sync.ts';

/** Router calls: short, idempotent, like the gateway jobs a customer waits on. */
const ROUTER_OP_LEASE_MS = 15_000;

export const pppModule: Module = {
  name: 'subscribers-ppp',
  jobs: (deps) => [
    {
      kind: SYNC_JOB,
      handle: (p: { subscriberId: number }) => syncSubscriber(deps, Number(p.subscriberId)),
      maxAttempts: 12,
      leaseMs: ROUTER_OP_LEASE_MS,
    },
    {
      kind: FAIR_USE_JOB,
      // The change is the rate only: a sync sends it (CoA on radius routers, the profile on api ones).
      handle: (p: { subscriberId: number }) => syncSubscriber(deps, Number(p.subscriberId)),
      maxAttempts: 12,
      leaseMs: ROUTER_OP_LEASE_MS,
    },
    { kind: ENFORCE_JOB, handle: async () => void (await enforceDueDates(deps)), leaseMs: 30_000 },
  ],
  recurring: () => [{ kind: ENFORCE_JOB, everyMs: ENFORCE_EVERY_MS }],
};
