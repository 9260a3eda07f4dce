/**
 * The access feature's jobs. `access.expire` and `access.remind` are written by SQL too
 * (db/functions/access_authorize.sql, the reminder trigger of migration 1800): their kind strings
 * and payloads here are the ones those functions write.
 */
import { z } from 'zod';
import { defineJob, noPayload } from '../jobs/define.ts';

/** A wall-clock code's deadline: expire it on time (keyed per deadline, so extensions reschedule). */
export const EXPIRE_JOB = defineJob('access.expire', z.object({ accessCodeId: z.string() }), {
  backoff: { baseMs: 1_000, maxMs: 60_000 },
  // Access ends on time even when the worker that took the job dies.
  leaseMs: 30_000,
  // Each run expires everything due, one run at a time (an advisory lock): a second one running
  // here would only wait on that lock in a worker slot the revokes it queues need.
  maxRunning: 1,
});
/** Text the customer before their time runs out (`expiresAt`: the deadline it was queued for, ms). */
export const REMIND_JOB = defineJob(
  'access.remind',
  z.object({ accessCodeId: z.string(), expiresAt: z.coerce.number() }),
  { maxAttempts: 5, backoff: { baseMs: 5_000, maxMs: 60_000 } },
);
/** Recurring: expire whatever is past its deadline, in batches. */
export const EXPIRE_SWEEP_JOB = defineJob('access.expire-sweep', noPayload, {
  maxAttempts: 1,
  leaseMs: 2 * 60_000,
});
