/**
 * MikroTik api mode against the simulator, real clock, running worker (poll 1 s, NOTIFY wake-up):
 *  - grant: paid (issue committed) → hotspot user on the router
 *  - expiry: code's deadline → user and session gone (access.expire → gateway.revoke)
 *  - reconcile: a reset router refilled with N live codes
 *   node --import tsx bench/gateway.ts
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import pino from 'pino';
import { expireCode, scheduleExpiry } from '../src/access/expire.ts';
import { issueForPurchase } from '../src/access/issue-for-purchase.ts';
import { createApp } from '../src/app/run.ts';
import type { Module } from '../src/app/module.ts';
import { asDate, query } from '../src/db/open.ts';
import { reconcileRouter } from '../src/gateways/jobs.ts';
import { gatewaysModule } from '../src/gateways/module.ts';
import { addRouter } from '../src/gateways/index.ts';
import { startRouterOsSim } from '../src/sim/routeros/index.ts';
import { testConfig } from '../test/helpers/app.ts';
import { createTestDatabase } from '../test/helpers/db.ts';
import { summarize, table } from './lib.ts';
import { SYSTEM } from '../src/audit/index.ts';

const GRANTS = Number(process.env.BENCH_GRANTS ?? 50);
const EXPIRIES = Number(process.env.BENCH_EXPIRIES ?? 20);
const RECONCILE = Number(process.env.BENCH_RECONCILE ?? 500);

const until = async (cond: () => boolean) => {
  while (!cond()) await new Promise((r) => setTimeout(r, 2));
  return performance.now();
};

async function run(label: string) {
  const t = await createTestDatabase();
  const sim = await startRouterOsSim({
    users: [{ name: 'wavu', password: 'bench-pass-1' }],
    httpPort: false,
  });
  // The access feature's expiry handler, as it will run in production.
  const access: Module = {
    name: 'bench-access',
    jobs: (deps) => [
      {
        kind: 'access.expire',
        async handle(p: { accessCodeId: string }) {
          await deps.db.transaction(async (tx) => {
            const [c] = await query<{ expires_at: unknown }>(
              tx,
              sql`SELECT expires_at FROM access_codes WHERE id = ${p.accessCodeId}`,
            );
            if (c?.expires_at && asDate(c.expires_at) <= deps.clock.now())
              await expireCode(tx, deps, p.accessCodeId, deps.clock.now());
          });
        },
      },
    ],
  };
  const app = await createApp({
    config: testConfig(),
    roles: ['worker'],
    log: pino({ level: 'silent' }),
    database: t.database,
    modules: [gatewaysModule, access],
    workerOptions: { pollMs: 1000, concurrency: 4 },
  });
  const deps = app.deps;
  const { router } = await addRouter(
    deps,
    {
      mode: 'api',
      name: 'bench',
      host: '127.0.0.1',
      port: sim.apiPort,
      password: 'bench-pass-1',
    },
    { actor: SYSTEM },
  );
  const users = () => new Set(sim.router.list('/ip/hotspot/user').map((u) => u.name));
  const issue = (mac: string) =>
    deps.db.transaction((tx) =>
      issueForPurchase(tx, deps, {
        purchaseId: randomUUID(),
        planId: 1,
        phone: null,
        mac,
        routerId: router.id,
        purpose: 'access',
      }),
    );
  const mac = (i: number) =>
    `A4:00:00:${((i >> 16) & 255).toString(16).padStart(2, '0')}:${((i >> 8) & 255).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`.toUpperCase();

  const grant: number[] = [];
  for (let i = 0; i < GRANTS; i++) {
    const t0 = performance.now();
    const { code } = await issue(mac(i));
    grant.push((await until(() => users().has(code))) - t0);
  }

  const expiry: number[] = [];
  for (let i = 0; i < EXPIRIES; i++) {
    const { accessCodeId, code } = await issue(mac(10_000 + i));
    await until(() => users().has(code));
    sim.router.login({
      user: code,
      password: code,
      ip: `10.5.${i >> 8}.${i & 255}`,
      mac: mac(10_000 + i),
      by: 'http-chap',
    });
    const deadline = new Date(Date.now() + 300);
    const deadlineAt = performance.now() + 300;
    await deps.db.transaction(async (tx) => {
      await tx.execute(sql`UPDATE access_codes SET expires_at = ${deadline} WHERE id = ${accessCodeId}`);
      await scheduleExpiry(tx, deps, accessCodeId, deadline);
    });
    const gone = await until(
      () => !users().has(code) && !sim.router.list('/ip/hotspot/active').some((a) => a.user === code),
    );
    expiry.push(gone - deadlineAt);
  }

  // Reconcile: N live grants, then the router is reset and refilled in one run.
  await app.worker!.stop();
  const now = new Date();
  for (let i = 0; i < RECONCILE; i++) {
    const id = randomUUID();
    await deps.db.execute(
      sql`INSERT INTO access_codes (id, code_hash, code_sealed, plan_id, kind, status, devices, clock, duration_seconds, activated_at, expires_at)
          VALUES (${id}, ${`bench-${id}`}, ${deps.sealer.seal(`B${i.toString(36).toUpperCase().padStart(9, '0')}`)}, 1, 'voucher', 'active', 1, 'wall', 3600, ${now}, ${new Date(now.getTime() + 3600_000)})`,
    );
    await deps.db.execute(
      sql`INSERT INTO access_grants (access_code_id, router_id, status, requested_at, granted_at, updated_at) VALUES (${id}, ${router.id}, 'granted', ${now}, ${now}, ${now})`,
    );
  }
  sim.setFault('reset');
  const r0 = performance.now();
  const res = await reconcileRouter(deps, router.id);
  const reconcileMs = performance.now() - r0;
  const again0 = performance.now();
  await reconcileRouter(deps, router.id);
  const noChangeMs = performance.now() - again0;

  await app.stop();
  await sim.stop();
  await t.drop();
  const g = summarize(grant);
  const e = summarize(expiry);
  return [
    { database: label, measure: 'paid → user on router (ms)', n: g.n, p50: g.p50, p95: g.p95, max: g.max },
    {
      database: label,
      measure: 'deadline → user + session gone (ms)',
      n: e.n,
      p50: e.p50,
      p95: e.p95,
      max: e.max,
    },
    {
      database: label,
      measure: `reconcile reset router, ${res.report?.added} users added (ms)`,
      n: 1,
      p50: reconcileMs,
      p95: reconcileMs,
      max: reconcileMs,
    },
    {
      database: label,
      measure: `reconcile, nothing to change, ${RECONCILE} users (ms)`,
      n: 1,
      p50: noChangeMs,
      p95: noChangeMs,
      max: noChangeMs,
    },
  ];
}

const rows = [...(await run(process.env.WAVU_TEST_DB === 'postgres' ? 'PostgreSQL' : 'PGlite'))];
process.stdout.write(`${table(rows)}\n`);
process.exit(0);
