/**
 * Gateway jobs. The database says what should be on each router; these jobs make it so:
 *   gateway.grant      put one code on one router; retried until the router answers
 *   gateway.revoke     take a code off (all its routers, or one); retried every few seconds
 *   gateway.revoke-batch  take many codes off one router with a few calls (codes that expired
 *                      together); a retry does only the codes still on the router
 *   gateway.disconnect kick one live session (api mode: then sync the router's sessions, closing its row)
 *   gateway.refresh    a code got more time while online: tell its live sessions (radius: CoA)
 *   gateway.throttle   a code crossed a fair-use cap: its routers get the reduced rate
 *   gateway.release-device  a device lost its slot on a code: end its sessions and login cookie
 *   gateway.health     every 15 s: check each router; one that came back or rebooted is reconciled now
 *   gateway.reconcile  every 60 s: one gateway.reconcile-router job per router, each independent, so a
 *                      slow or dead router never holds up the cleanup of the others
 * No transaction is held open while a router is called (slow routers must not pin DB connections).
 */
import { sql } from 'drizzle-orm';
import type { Deps } from '../app/deps.ts';
import { query } from '../db/open.ts';
import { handler } from '../jobs/define.ts';
import { type JobContext, type JobDefinition, type RecurringJob, RetryLater } from '../jobs/types.ts';
import { isUnreachable, RosConnectionError } from '../protocols/routeros/errors.ts';
import { type DeadGrant, desiredForRouter, loadAccess } from './access-specs.ts';
import {
  type GatewayAdapter,
  type ReconcileWrite,
  type RevokeItem,
  type RouterRow,
  type SessionRef,
  wavuCallsGateway,
} from './adapter.ts';
import {
  DISCONNECT_JOB,
  GATEWAY_MAX_ATTEMPTS,
  GATEWAY_RECONCILE_JOB,
  GRANT_JOB,
  HEALTH_JOB,
  RECONCILE_ROUTER_JOB,
  REFRESH_JOB,
  RELEASE_DEVICE_JOB,
  REVOKE_BATCH_JOB,
  REVOKE_JOB,
  THROTTLE_JOB,
} from './job-kinds.ts';
import { adapterFor, hasGatewayMode } from './modes.ts';
import {
  grantError,
  grantErrors,
  grantStatus,
  markGranted,
  markRevoked,
  markRevokedUnlessChanged,
  requestGrant,
  startRevoke,
  startRevokeBatch,
} from './grants.ts';
import { observeOnline } from './online-metric.ts';
import { logRouterDown, routerAnswers, routerDown } from './routers/episode.ts';
import { allRouters, markSeen, recordHealth, routerById } from './routers/repo.ts';
import { syncRouterSessions } from './sessions/sync-router-sessions.ts';

export const HEALTH_EVERY_MS = 15_000;
export const ROUTER_RECONCILE_EVERY_MS = 60_000;
export { GATEWAY_MAX_ATTEMPTS, ROUTER_OP_LEASE_MS } from './job-kinds.ts';

/** Retry soon, then less often: 2 s, 4 s, 8 s … capped at 30 s, with jitter. */
const retryDelay = (attempt: number) =>
  Math.round(Math.min(30_000, 2_000 * 2 ** (attempt - 1)) * (0.75 + Math.random() / 2));

/**
 * One router operation at a time per router in this process: grant, revoke and reconcile of the
 * same router never interleave here. (Across nodes, the ordering rules in reconcile cover it.)
 */
const locks = new Map<number, Promise<unknown>>();
export async function withRouterLock<T>(routerId: number, fn: () => Promise<T>): Promise<T> {
  const prev = locks.get(routerId) ?? Promise.resolve();
  const run = prev.catch(() => {}).then(fn);
  const tail = run.catch(() => {});
  locks.set(routerId, tail);
  try {
    return await run;
  } finally {
    if (locks.get(routerId) === tail) locks.delete(routerId);
  }
}

async function reconcileSoon(deps: Deps, routerId: number, why: string): Promise<void> {
  const now = deps.clock.now();
  await deps.enqueue(
    deps.db,
    RECONCILE_ROUTER_JOB,
    { routerId, why },
    { key: `reconcile:${routerId}:${why}:${now.getTime()}` },
  );
}

/** The router answered: note it, and reconcile it at once if it had been down. */
export async function seen(deps: Deps, router: RouterRow): Promise<void> {
  const cameUp = await markSeen(deps.db, router.id, deps.clock.now());
  routerAnswers(deps, router);
  if (cameUp && router.status === 'down') await reconcileSoon(deps, router.id, 'back-up');
}

export async function grantJob(
  deps: Deps,
  p: { accessCodeId: string; routerId: number },
  ctx?: JobContext,
): Promise<void> {
  const router = await routerById(deps.db, p.routerId);
  if (!router?.enabled) return;
  const now = deps.clock.now();
  const { spec } = await loadAccess(deps.db, deps, p.accessCodeId, now);
  if (!spec) return; // expired or revoked meanwhile: nothing to put on the router
  await requestGrant(deps.db, p.accessCodeId, router.id, now);
  const adapter = adapterFor(deps, router);
  // Queued for a router that polls us; its acknowledgement marks the grant granted.
  if (adapter.confirmsLater) return adapter.grant(spec);
  try {
    await withRouterLock(router.id, async () => {
      await adapter.grant(spec);
      // A revoke may have raced us between the read above and the write: if the code is no
      // longer wanted there, take it straight back off.
      const after = await loadAccess(deps.db, deps, p.accessCodeId, deps.clock.now());
      const g = await grantStatus(deps.db, p.accessCodeId, router.id);
      if (!after.spec || g === 'revoking' || g === 'revoked') {
        await adapter.revoke(p.accessCodeId, spec.code);
        return;
      }
      const at = deps.clock.now();
      await markGranted(deps.db, [p.accessCodeId], router.id, at);
      await observeOnline(deps, [p.accessCodeId], router.id, at, router.mode);
    });
  } catch (e) {
    const msg = (e as Error).message;
    await grantError(deps.db, p.accessCodeId, router.id, msg, deps.clock.now());
    if (!isUnreachable(e)) throw e;
    await routerDown(deps, router, msg);
    const attempt = ctx?.job.attempts ?? 1;
    // The grant row stays pending: reconcile applies it as soon as the router is back.
    if (attempt >= (ctx?.job.maxAttempts ?? GATEWAY_MAX_ATTEMPTS)) return;
    throw new RetryLater(retryDelay(attempt), `router ${router.name} unreachable: ${msg}`);
  }
  await seen(deps, router);
}

export async function revokeJob(
  deps: Deps,
  p: { accessCodeId: string; routerId?: number },
  ctx?: JobContext,
): Promise<void> {
  const now = deps.clock.now();
  const fromGrants = await startRevoke(deps.db, p.accessCodeId, p.routerId, now);
  // Routers with a live session of this code (radius mode keeps no grants, only sessions).
  const fromSessions = await query<{ router_id: number }>(
    deps.db,
    sql`SELECT DISTINCT router_id FROM sessions WHERE access_code_id = ${p.accessCodeId} AND status = 'active'
          AND router_id IS NOT NULL ${p.routerId === undefined ? sql`` : sql`AND router_id = ${p.routerId}`}`,
  );
  const ids = new Set([...fromGrants, ...fromSessions.map((r) => Number(r.router_id))]);
  if (p.routerId !== undefined) ids.add(p.routerId);
  const { code } = await loadAccess(deps.db, deps, p.accessCodeId, now);
  const failures: string[] = [];
  await Promise.all(
    [...ids].map(async (routerId) => {
      const router = await routerById(deps.db, routerId);
      if (!router) return;
      if (!hasGatewayMode(deps, router.mode)) {
        deps.log.warn(
          { router: router.name, mode: router.mode },
          'no adapter for this router mode; revoke skipped',
        );
        return;
      }
      try {
        const adapter = adapterFor(deps, router);
        await withRouterLock(routerId, () => adapter.revoke(p.accessCodeId, code ?? undefined));
        if (adapter.confirmsLater) return; // revoked when the router acknowledges it
        await markRevoked(deps.db, [p.accessCodeId], routerId, deps.clock.now());
        await seen(deps, router);
      } catch (e) {
        const msg = (e as Error).message;
        await grantError(deps.db, p.accessCodeId, routerId, msg, deps.clock.now());
        if (!isUnreachable(e)) throw e;
        await routerDown(deps, router, msg);
        failures.push(`${router.name}: ${msg}`);
      }
    }),
  );
  if (failures.length) {
    const attempt = ctx?.job.attempts ?? 1;
    // Still `revoking`: reconcile removes it the moment the router answers again.
    if (attempt >= (ctx?.job.maxAttempts ?? GATEWAY_MAX_ATTEMPTS)) return;
    throw new RetryLater(Math.min(retryDelay(attempt), 10_000), `revoke pending on ${failures.join('; ')}`);
  }
}

/** Codes per `gateway.revoke-batch` job: one expiry batch (access/expire.ts) at most. */
export const REVOKE_BATCH_SIZE = 500;

/**
 * Take many codes off one router at once (they expired together). Same rules as revokeJob, per
 * code: a code live again when this runs (extended, reissued) is left on the router, and a code
 * already off it is not touched, so a retry, or a second run after a crash, does only what is
 * left. The database work is a fixed handful of statements whatever the batch size; the router
 * work is the adapter's revokeMany (api: a few calls in all; radius: Disconnect-Requests in a
 * bounded window), or its revoke code by code for gateways without one.
 */
export async function revokeBatchJob(
  deps: Deps,
  p: { routerId: number; accessCodeIds: string[] },
  ctx?: JobContext,
): Promise<void> {
  const router = await routerById(deps.db, p.routerId);
  if (!router) return;
  if (!hasGatewayMode(deps, router.mode)) {
    deps.log.warn(
      { router: router.name, mode: router.mode },
      'no adapter for this router mode; revoke skipped',
    );
    return;
  }
  const now = deps.clock.now();
  const left = await startRevokeBatch(deps.db, (s) => deps.sealer.unseal(s), router.id, p.accessCodeIds, now);
  if (!left.length) return;
  const adapter = adapterFor(deps, router);
  let failed: Map<string, string>;
  try {
    failed = await withRouterLock(router.id, () => revokeAll(adapter, left));
  } catch (e) {
    const msg = (e as Error).message;
    await grantErrors(deps.db, new Map(left.map((l) => [l.accessCodeId, msg])), router.id, deps.clock.now());
    if (!isUnreachable(e)) throw e;
    await routerDown(deps, router, msg);
    const attempt = ctx?.job.attempts ?? 1;
    // Still `revoking`: reconcile removes them the moment the router answers again.
    if (attempt >= (ctx?.job.maxAttempts ?? GATEWAY_MAX_ATTEMPTS)) return;
    throw new RetryLater(Math.min(retryDelay(attempt), 10_000), `revoke pending on ${router.name}: ${msg}`);
  }
  if (adapter.confirmsLater) return; // revoked when the router acknowledges each
  const at = deps.clock.now();
  await markRevoked(
    deps.db,
    left.map((l) => l.accessCodeId).filter((id) => !failed.has(id)),
    router.id,
    at,
  );
  if (failed.size) {
    await grantErrors(deps.db, failed, router.id, at);
    const attempt = ctx?.job.attempts ?? 1;
    if (attempt >= (ctx?.job.maxAttempts ?? GATEWAY_MAX_ATTEMPTS)) return;
    const [first] = failed.values();
    throw new RetryLater(
      Math.min(retryDelay(attempt), 10_000),
      `${failed.size} of ${left.length} codes not revoked on ${router.name}: ${first}`,
    );
  }
  await seen(deps, router);
}

/** The adapter's batch revoke, or its revoke code by code (gateways without one). */
async function revokeAll(adapter: GatewayAdapter, items: RevokeItem[]): Promise<Map<string, string>> {
  if (adapter.revokeMany) return adapter.revokeMany(items);
  const failed = new Map<string, string>();
  for (const i of items) {
    try {
      await adapter.revoke(i.accessCodeId, i.username);
    } catch (e) {
      // A router that cannot be reached fails the whole batch (retried as one).
      if (isUnreachable(e)) throw e;
      failed.set(i.accessCodeId, (e as Error).message);
    }
  }
  return failed;
}

export async function disconnectJob(deps: Deps, p: { sessionId: string }): Promise<void> {
  const [s] = await query<{
    router_id: number | null;
    acct_session_id: string | null;
    username: string | null;
    mac: string | null;
    ip: string | null;
  }>(
    deps.db,
    sql`SELECT router_id, acct_session_id, username, mac, ip FROM sessions WHERE id = ${p.sessionId}`,
  );
  if (!s?.router_id) return;
  const router = await routerById(deps.db, Number(s.router_id));
  if (!router || !hasGatewayMode(deps, router.mode)) return;
  const adapter = adapterFor(deps, router);
  try {
    await withRouterLock(router.id, () =>
      adapter.disconnect({
        acctSessionId: s.acct_session_id,
        username: s.username,
        mac: s.mac,
        ip: s.ip,
      }),
    );
    if (wavuCallsGateway(router.mode)) {
      // No accounting Stop will come: read the router's list after the kick and sync to it, so
      // the row closes now (as Admin-Reset). A poll that asked before the kick is older than this
      // report and can no longer reopen it (sync-router-sessions.ts).
      const after = deps.clock.now();
      const list = await adapter.listActive();
      await syncRouterSessions(deps, router.id, list, after, {
        kicked: s.acct_session_id ? [s.acct_session_id] : [],
      });
    }
  } catch (e) {
    if (isUnreachable(e)) await routerDown(deps, router, (e as Error).message);
    throw e;
  }
}

/**
 * A code was extended mid-session: every router with a live session of it whose gateway can be
 * told (radius: CoA-Request with the new Session-Timeout) is told. Reads the access when it runs,
 * so a late or repeated run sends what is true then; a code gone meanwhile sends nothing.
 */
export async function refreshJob(deps: Deps, p: { accessCodeId: string }): Promise<void> {
  const { spec } = await loadAccess(deps.db, deps, p.accessCodeId, deps.clock.now());
  if (!spec) return;
  const live = await query<{ router_id: number }>(
    deps.db,
    sql`SELECT DISTINCT router_id FROM sessions
        WHERE access_code_id = ${p.accessCodeId} AND status = 'active' AND router_id IS NOT NULL`,
  );
  const failures: string[] = [];
  for (const { router_id } of live) {
    const router = await routerById(deps.db, Number(router_id));
    if (!router?.enabled || !hasGatewayMode(deps, router.mode)) continue;
    const adapter = adapterFor(deps, router);
    if (!adapter.refresh) continue;
    try {
      await withRouterLock(router.id, () => adapter.refresh!(spec));
    } catch (e) {
      failures.push(`${router.name}: ${(e as Error).message}`);
    }
  }
  if (failures.length) throw new Error(`extension not applied on ${failures.join('; ')}`);
}

/**
 * A code crossed its fair-use cap (access/throttle.ts queued this once): api routers holding it
 * get the grant again, which moves the hotspot user to the plan's fair-use profile and lifts any
 * data limit; routers with a live session that can be told (radius) get a CoA-Request with the
 * reduced Mikrotik-Rate-Limit. Both read the access when they run and are idempotent, so a retry
 * re-sends what is true then.
 */
export async function throttleJob(deps: Deps, p: { accessCodeId: string }, ctx?: JobContext): Promise<void> {
  const granted = await query<{ router_id: number }>(
    deps.db,
    sql`SELECT g.router_id FROM access_grants g JOIN routers r ON r.id = g.router_id
        WHERE g.access_code_id = ${p.accessCodeId} AND g.status IN ('pending', 'granted') AND r.mode = 'api'`,
  );
  for (const g of granted)
    await grantJob(deps, { accessCodeId: p.accessCodeId, routerId: Number(g.router_id) }, ctx);
  await refreshJob(deps, p);
}

/**
 * A device was unbound from a code to free a slot for another (recovery by receipt): take it off
 * every router that may hold it — api routers the code is granted on (active entry and MAC
 * cookie, so it cannot come straight back), and any router with a live session of it (radius:
 * Disconnect-Request). Queued in the transaction that unbinds the device; the portal holds the
 * new device's login until this job is done, so the router has a free slot when it logs in.
 * (A router that also runs the agent will get these as agent commands through its adapter.)
 */
export async function releaseDeviceJob(
  deps: Deps,
  p: { accessCodeId: string; mac: string },
  ctx?: JobContext,
): Promise<void> {
  const { code } = await loadAccess(deps.db, deps, p.accessCodeId, deps.clock.now());
  const sessions = await query<{
    router_id: number;
    acct_session_id: string | null;
    username: string | null;
    ip: string | null;
  }>(
    deps.db,
    sql`SELECT router_id, acct_session_id, username, ip FROM sessions
        WHERE access_code_id = ${p.accessCodeId} AND mac = ${p.mac} AND status = 'active' AND router_id IS NOT NULL`,
  );
  const granted = await query<{ router_id: number }>(
    deps.db,
    sql`SELECT router_id FROM access_grants WHERE access_code_id = ${p.accessCodeId} AND status IN ('pending', 'granted')`,
  );
  const refs = new Map<number, SessionRef[]>();
  for (const g of granted) refs.set(Number(g.router_id), [{ mac: p.mac, username: code }]);
  for (const s of sessions) {
    const list = refs.get(Number(s.router_id)) ?? [];
    list.push({ acctSessionId: s.acct_session_id, username: s.username, mac: p.mac, ip: s.ip });
    refs.set(Number(s.router_id), list);
  }
  const failures: string[] = [];
  for (const [routerId, list] of refs) {
    const router = await routerById(deps.db, routerId);
    if (!router?.enabled || !hasGatewayMode(deps, router.mode)) continue;
    try {
      await withRouterLock(routerId, async () => {
        const adapter = adapterFor(deps, router);
        for (const ref of list) await adapter.disconnect(ref);
      });
    } catch (e) {
      const msg = (e as Error).message;
      if (isUnreachable(e)) await routerDown(deps, router, msg);
      failures.push(`${router.name}: ${msg}`);
    }
  }
  if (failures.length) {
    const attempt = ctx?.job.attempts ?? 1;
    throw new RetryLater(
      Math.min(retryDelay(attempt), 10_000),
      `device not released on ${failures.join('; ')}`,
    );
  }
}

/**
 * Gateways Wavu converges from the database: MikroTik api mode (dialled or agent) and UniFi. RADIUS
 * routers hold no state of ours; openNDS routers pull theirs on every poll.
 */
const reconciles = (mode: RouterRow['mode']): boolean => mode === 'api' || mode === 'unifi';

/** Converge one router to the database. Skips (does not wait) when another run holds this router. */
export async function reconcileRouter(
  deps: Deps,
  routerId: number,
): Promise<{ skipped: boolean; report?: import('./adapter.ts').ReconcileReport }> {
  const router = await routerById(deps.db, routerId);
  if (!router?.enabled || !reconciles(router.mode)) return { skipped: true };
  const now = deps.clock.now();
  const lease = await query(
    deps.db,
    sql`UPDATE routers SET reconciling_until = ${new Date(now.getTime() + 5 * 60_000)}
        WHERE id = ${routerId} AND (reconciling_until IS NULL OR reconciling_until < ${now}) RETURNING id`,
  );
  if (!lease.length) return { skipped: true };
  try {
    const adapter = adapterFor(deps, router);
    let granted: string[] = [];
    let dead: DeadGrant[] = [];
    // The writes hold the router; the reads before them do not (see ReconcileWrite). Codes that
    // stopped being wanted during the read are not put back, and ones wanted again are kept.
    const write: ReconcileWrite = (codes, fn) =>
      withRouterLock(routerId, async () => {
        const fresh = codes.length
          ? await desiredForRouter(deps.db, deps, routerId, deps.clock.now(), codes)
          : { specs: [] };
        const wantedNow = new Map(fresh.specs.map((s) => [s.accessCodeId, s]));
        const changed = new Set(codes);
        granted = granted.filter((id) => !changed.has(id) || wantedNow.has(id));
        dead = dead.filter((d) => !changed.has(d.accessCodeId) || !wantedNow.has(d.accessCodeId));
        return fn(wantedNow);
      });
    const report = await adapter.reconcile!(async () => {
      const d = await desiredForRouter(deps.db, deps, routerId, deps.clock.now());
      dead = d.dead;
      granted = d.specs.map((s) => s.accessCodeId);
      return d.specs;
    }, write);
    const done = deps.clock.now();
    // An agent router has only been sent commands; its acks confirm them.
    if (!adapter.confirmsLater) {
      await markGranted(deps.db, granted, routerId, done);
      await observeOnline(deps, granted, routerId, done, router.mode);
      await markRevokedUnlessChanged(deps.db, dead, routerId, done);
    }
    await deps.db.execute(sql`UPDATE routers SET last_reconciled_at = ${done} WHERE id = ${routerId}`);
    await seen(deps, router);
    if (report.added || report.removed || report.kicked || report.updated) {
      deps.log.info({ router: router.name, ...report }, 'router reconciled');
    }
    return { skipped: false, report };
  } catch (e) {
    if (!isUnreachable(e)) throw e;
    await routerDown(deps, router, (e as Error).message);
    return { skipped: false };
  } finally {
    await deps.db.execute(sql`UPDATE routers SET reconciling_until = NULL WHERE id = ${routerId}`);
  }
}

export async function healthCheckAll(deps: Deps): Promise<void> {
  const list = (await allRouters(deps.db)).filter((r) => r.enabled && wavuCallsGateway(r.mode));
  await Promise.all(
    list.map(async (r) => {
      let h: import('./adapter.ts').RouterHealth;
      const t0 = performance.now();
      try {
        h = await withTimeout(adapterFor(deps, r).health(), 8_000);
      } catch (e) {
        h = { ok: false, latencyMs: Math.round(performance.now() - t0), error: (e as Error).message };
      }
      const { cameUp, rebooted } = await recordHealth(deps.db, r.id, h, deps.clock.now());
      if (h.ok) routerAnswers(deps, r);
      else logRouterDown(deps, r, h.error ?? 'unreachable');
      if (rebooted) await reconcileSoon(deps, r.id, 'rebooted');
      else if (cameUp) await reconcileSoon(deps, r.id, 'back-up');
    }),
  );
}

export function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new RosConnectionError(`no answer within ${ms} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e) => {
        clearTimeout(t);
        reject(e);
      },
    );
  });
}

export function gatewayJobs(deps: Deps): JobDefinition[] {
  return [
    handler(GRANT_JOB, (p, ctx) => grantJob(deps, p, ctx)),
    handler(REVOKE_JOB, (p, ctx) => revokeJob(deps, p, ctx)),
    handler(REVOKE_BATCH_JOB, (p, ctx) => revokeBatchJob(deps, p, ctx)),
    handler(DISCONNECT_JOB, (p) => disconnectJob(deps, p)),
    handler(REFRESH_JOB, (p) => refreshJob(deps, p)),
    handler(THROTTLE_JOB, (p, ctx) => throttleJob(deps, p, ctx)),
    handler(RELEASE_DEVICE_JOB, (p, ctx) => releaseDeviceJob(deps, p, ctx)),
    handler(HEALTH_JOB, () => healthCheckAll(deps)),
    handler(GATEWAY_RECONCILE_JOB, async () => {
      const slot = Math.floor(deps.clock.now().getTime() / ROUTER_RECONCILE_EVERY_MS);
      for (const r of await allRouters(deps.db)) {
        if (!r.enabled || !reconciles(r.mode)) continue;
        await deps.enqueue(
          deps.db,
          RECONCILE_ROUTER_JOB,
          { routerId: r.id, why: 'schedule' },
          { key: `reconcile:${r.id}:slot:${slot}` },
        );
      }
    }),
    handler(RECONCILE_ROUTER_JOB, async (p) => {
      await reconcileRouter(deps, p.routerId);
    }),
  ];
}

export function gatewayRecurring(): RecurringJob[] {
  return [
    { job: HEALTH_JOB, everyMs: HEALTH_EVERY_MS },
    { job: GATEWAY_RECONCILE_JOB, everyMs: ROUTER_RECONCILE_EVERY_MS },
  ];
}
