import { sql } from 'drizzle-orm';
import type { Deps } from '../app/deps.ts';
import { type Conn, query } from '../db/open.ts';
import { GRANT_JOB, requestGrant } from '../gateways/index.ts';
import type { JobSpec } from '../jobs/enqueue.ts';

/** Bind a device to a code (no-op when already bound). The caller enforces the device limit. */
export async function bindDevice(tx: Conn, accessCodeId: string, mac: string, now: Date): Promise<void> {
  await tx.execute(
    sql`INSERT INTO access_devices (access_code_id, mac, bound_at, last_seen_at)
        VALUES (${accessCodeId}, ${mac}, ${now}, ${now})
        ON CONFLICT (access_code_id, mac) DO UPDATE SET last_seen_at = EXCLUDED.last_seen_at`,
  );
}

/**
 * Routers in `api` mode need the access pushed to them; `radius` routers ask us at login, so
 * nothing is queued for them. `reason` makes the job key unique per cause (purchase, new device).
 * The wanted grant is recorded in the same transaction as the job: the job is the fast path, and
 * the router reconcile (every minute, and when a router comes back) repairs it if the job is lost
 * or held by a worker that died.
 */
export async function enqueueGrantIfApi(
  tx: Conn,
  deps: Deps,
  accessCodeId: string,
  routerId: number | null,
  reason: string,
  /** The router's mode and transport, when the caller has read them already: saves a lookup. */
  known?: RouterMode | null,
): Promise<void> {
  if (routerId === null) return;
  const router = known !== undefined ? known : await routerMode(tx, routerId);
  if (router?.mode !== 'api') return;
  await enqueueGrant(tx, deps, accessCodeId, routerId, reason, { agent: router.transport === 'agent' });
}

/** How a router is reached: `api` routers get grants pushed; `agent` transport polls for them. */
export interface RouterMode {
  mode: string;
  transport: string | null;
}

export async function routerMode(tx: Conn, routerId: number): Promise<RouterMode | null> {
  const [router] = await query<RouterMode>(
    tx,
    sql`SELECT mode, api_transport AS transport FROM routers WHERE id = ${routerId}`,
  );
  return router ?? null;
}

/** The job that pushes a code to an api router, keyed by its cause (see enqueueGrantIfApi). */
export const grantJob = (
  accessCodeId: string,
  routerId: number,
  reason: string,
): JobSpec<{ accessCodeId: string; routerId: number }> => ({
  job: GRANT_JOB,
  payload: { accessCodeId, routerId },
  opts: { key: `grant:${accessCodeId}:${routerId}:${reason}` },
});

/** The push itself, for a router the caller knows is in `api` mode (see enqueueGrantIfApi). */
export async function enqueueGrant(
  tx: Conn,
  deps: Deps,
  accessCodeId: string,
  routerId: number,
  reason: string,
  o: { agent?: boolean } = {},
): Promise<void> {
  await requestGrant(tx, accessCodeId, routerId, deps.clock.now(), { attempt: false, ...o });
  const g = grantJob(accessCodeId, routerId, reason);
  await deps.enqueue(tx, g.job, g.payload, g.opts);
}
