/**
 * A Wavu app (no HTTP, no running worker loop) wired to a simulated MikroTik on ephemeral ports,
 * with a ManualClock shared by both, so tests move time for the database and the router alike.
 * Jobs run when the test calls `drain()`.
 */
import { expireOnTime } from '../../src/access/expire-job.ts';
import { EXPIRE_JOB } from '../../src/access/job-kinds.ts';
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { type App, createApp } from '../../src/app/run.ts';
import { issueForPurchase } from '../../src/access/issue-for-purchase.ts';
import { asDate, query } from '../../src/db/open.ts';
import { gatewayJobs } from '../../src/gateways/jobs.ts';
import { adminModule } from '../../src/admin/module.ts';
import { gatewaysModule } from '../../src/gateways/module.ts';
import { sessionJobs, sessionRecurring } from '../../src/gateways/sessions/jobs.ts';
import { addRouter } from '../../src/gateways/index.ts';
import type { JobDefinition } from '../../src/jobs/types.ts';
import { handler } from '../../src/jobs/define.ts';
import { Worker } from '../../src/jobs/worker.ts';
import { ManualClock } from '../../src/lib/clock.ts';
import { type RouterOsSim, startRouterOsSim } from '../../src/sim/routeros/index.ts';
import { silentLog, testConfig } from '../helpers/app.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { SYSTEM } from '../../src/audit/index.ts';

export interface Harness {
  t: TestDatabase;
  app: App;
  clock: ManualClock;
  sim: RouterOsSim;
  routerId: number;
  worker: Worker;
  drain(): Promise<number>;
  issue(o?: { planId?: number; mac?: string | null }): Promise<{ accessCodeId: string; code: string }>;
  ourUsers(): Record<string, string>[];
  active(): Record<string, string>[];
  grantStatus(accessCodeId: string): Promise<string | null>;
  jobs(
    kind: string,
  ): Promise<
    { status: string; attempts: number; run_at: Date; finished_at: Date | null; last_error: string | null }[]
  >;
  close(): Promise<void>;
}

/** The expiry path of the access feature: the real `access.expire` handler. */
export const accessExpireJob = (app: App): JobDefinition =>
  handler(EXPIRE_JOB, async (p) => {
    await expireOnTime(app.deps, p.accessCodeId);
  });

/** A worker with the gateway jobs, session polls and the real access expiry, run by `drain()` in the tests. */
export function gatewayWorker(
  app: App,
  t: TestDatabase,
  clock: ManualClock,
  o: { concurrency?: number; polls?: boolean } = {},
): Worker {
  return new Worker({
    database: t.database,
    clock,
    log: silentLog(),
    definitions: [...gatewayJobs(app.deps), ...sessionJobs(app.deps), accessExpireJob(app)],
    ...(o.polls ? { recurring: sessionRecurring(app.deps) } : {}),
    concurrency: o.concurrency ?? 4,
  });
}

export async function harness(
  o: {
    transport?: 'api' | 'rest';
    version?: string;
    /** Serve the admin API too (`app.server.inject`); implies `polls`. */
    admin?: boolean;
    /** `drain()` also polls the router's sessions on their schedule (SESSION_POLL_SECONDS). */
    polls?: boolean;
    /** The app's logger (default silent); tests that read the log pass a capturing one. */
    log?: import('pino').Logger;
  } = {},
): Promise<Harness> {
  const clock = new ManualClock('2026-03-02T08:00:00Z');
  const t = await createTestDatabase();
  const app = await createApp({
    config: testConfig(),
    roles: o.admin ? ['serve'] : [],
    log: o.log ?? silentLog(),
    database: t.database,
    clock,
    modules: o.admin ? [gatewaysModule, adminModule] : [gatewaysModule],
    listen: false,
  });
  const sim = await startRouterOsSim({
    users: [{ name: 'wavu', password: 'router-pass-123' }],
    now: () => clock.now().getTime(),
    ...(o.version ? { version: o.version } : {}),
  });
  const { router } = await addRouter(
    app.deps,
    {
      mode: 'api',
      name: 'r1',
      host: o.transport === 'rest' ? 'http://127.0.0.1' : '127.0.0.1',
      port: o.transport === 'rest' ? sim.httpPort! : sim.apiPort,
      transport: o.transport ?? 'api',
      username: 'wavu',
      password: 'router-pass-123',
    },
    { actor: SYSTEM },
  );
  const worker = gatewayWorker(app, t, clock, { polls: o.admin || o.polls });
  const h: Harness = {
    t,
    app,
    clock,
    sim,
    routerId: router.id,
    worker,
    drain: () => worker.drain(),
    async issue({ planId = 1, mac = 'A4:00:00:00:00:01' } = {}) {
      return app.deps.db.transaction((tx) =>
        issueForPurchase(tx, app.deps, {
          purchaseId: randomUUID(),
          planId,
          phone: null,
          mac,
          routerId: router.id,
          purpose: 'access',
        }),
      );
    },
    ourUsers: () => sim.router.list('/ip/hotspot/user').filter((u) => u.comment?.startsWith('wavu:')),
    active: () => sim.router.list('/ip/hotspot/active'),
    async grantStatus(id) {
      const [g] = await query<{ status: string }>(
        app.deps.db,
        sql`SELECT status FROM access_grants WHERE access_code_id = ${id}`,
      );
      return g?.status ?? null;
    },
    async jobs(kind) {
      const rows = await query<{
        status: string;
        attempts: number;
        run_at: unknown;
        finished_at: unknown;
        last_error: string | null;
      }>(
        app.deps.db,
        sql`SELECT status, attempts, run_at, finished_at, last_error FROM jobs WHERE kind = ${kind} ORDER BY id`,
      );
      return rows.map((r) => ({
        ...r,
        run_at: asDate(r.run_at),
        finished_at: r.finished_at ? asDate(r.finished_at) : null,
      }));
    },
    async close() {
      await app.stop();
      await app.deps.routerConnections.closeAll();
      await sim.stop();
      await t.drop();
    },
  };
  return h;
}
