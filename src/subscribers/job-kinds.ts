/** The subscribers feature's jobs (PPP: ppp-module.ts; paying: paying-module.ts). */
import { z } from 'zod';
import { defineJob, noPayload } from '../jobs/define.ts';

/** Router calls: short, idempotent, like the gateway jobs a customer waits on. */
const ROUTER_OP_LEASE_MS = 15_000;
const subscriber = z.object({ subscriberId: z.coerce.number().int() });

/** Make a subscriber's router match their row (queued by every change, run by ppp-sync). */
export const SYNC_JOB = defineJob('subscriber.sync', subscriber, {
  maxAttempts: 12,
  leaseMs: ROUTER_OP_LEASE_MS,
});
/** The fair-use cap was crossed: the change is the rate only, which a sync sends. */
export const FAIR_USE_JOB = defineJob('subscriber.fair-use', subscriber, {
  maxAttempts: 12,
  leaseMs: ROUTER_OP_LEASE_MS,
});
/** Recurring: due-date enforcement. */
export const ENFORCE_JOB = defineJob('subscriber.enforce', noPayload, { maxAttempts: 1, leaseMs: 30_000 });
/** Recurring: due-date reminders and auto-renew (remind-due.ts). */
export const REMIND_DUE_JOB = defineJob('subscribers.remind', noPayload, {
  maxAttempts: 1,
  leaseMs: 5 * 60_000,
});
