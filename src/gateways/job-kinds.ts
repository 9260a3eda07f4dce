/**
 * The gateway feature's jobs (what each does: jobs.ts and sessions/jobs.ts). Grant, revoke and
 * the other router operations are enqueued by the access and admin features too.
 */
import { z } from 'zod';
import { defineJob, noPayload } from '../jobs/define.ts';

/** Attempts of grant/revoke before the job hands over to reconcile (which runs when the router is back). */
export const GATEWAY_MAX_ATTEMPTS = 12;
/**
 * Lease of the jobs a customer waits on (grant, revoke, disconnect): renewed every 5 s while the
 * job runs, so a worker that dies mid-grant holds a paid customer back 15 s at most. They are
 * idempotent, so a second run after a slow renewal costs one router call, nothing more.
 */
export const ROUTER_OP_LEASE_MS = 15_000;

const id = z.coerce.number().int();
const routerOp = { maxAttempts: GATEWAY_MAX_ATTEMPTS, leaseMs: ROUTER_OP_LEASE_MS };

export const GRANT_JOB = defineJob(
  'gateway.grant',
  z.object({ accessCodeId: z.string(), routerId: id }),
  routerOp,
);
/** Without routerId: every router holding the code. */
export const REVOKE_JOB = defineJob(
  'gateway.revoke',
  z.object({ accessCodeId: z.string(), routerId: id.optional() }),
  routerOp,
);
export const REVOKE_BATCH_JOB = defineJob(
  'gateway.revoke-batch',
  z.object({ routerId: id, accessCodeIds: z.array(z.string()) }),
  routerOp,
);
export const DISCONNECT_JOB = defineJob('gateway.disconnect', z.object({ sessionId: z.string() }), routerOp);
export const REFRESH_JOB = defineJob('gateway.refresh', z.object({ accessCodeId: z.string() }), routerOp);
export const THROTTLE_JOB = defineJob('gateway.throttle', z.object({ accessCodeId: z.string() }), routerOp);
export const RELEASE_DEVICE_JOB = defineJob(
  'gateway.release-device',
  z.object({ accessCodeId: z.string(), mac: z.string() }),
  routerOp,
);

// Recurring and fan-out jobs run once per key: the next slot is the retry.
export const HEALTH_JOB = defineJob('gateway.health', noPayload, { maxAttempts: 1, leaseMs: 30_000 });
export const GATEWAY_RECONCILE_JOB = defineJob('gateway.reconcile', noPayload, {
  maxAttempts: 1,
  leaseMs: 30_000,
});
export const RECONCILE_ROUTER_JOB = defineJob(
  'gateway.reconcile-router',
  z.object({ routerId: id, why: z.string().optional() }),
  // As long as the router's own reconcile lease (routers.reconciling_until). A reconcile after a
  // router reset re-adds every user one at a time, for minutes: two at most per worker, so several
  // routers coming back at once (a power cut across an estate) leave slots for grants and expiries.
  { maxAttempts: 1, leaseMs: 5 * 60_000, maxRunning: 2 },
);
/** `slot` names the window the polls are deduplicated by; the schedule's own is the clock's. */
export const SESSIONS_FANOUT_JOB = defineJob('gateway.sessions', z.object({ slot: z.string().optional() }), {
  maxAttempts: 1,
  leaseMs: 30_000,
});
/** A poll is one list call (timeout 10 s) and one transaction; a second run costs one more list. */
export const SESSIONS_POLL_JOB = defineJob('gateway.sessions.poll', z.object({ routerId: id }), {
  maxAttempts: 1,
  leaseMs: 30_000,
});
