/**
 * Paid → online on an agent router (a MikroTik Wavu cannot dial): the simulated router runs the
 * agent script Wavu generates, over real HTTP on loopback, with the real clock and real
 * scheduler timing. "Paid → online" is from the committed `issueForPurchase` transaction to the
 * grant being `granted` (the router has run the command and acknowledged it), which is when the
 * portal submits the login. Payments land at random moments of the poll cycle.
 *   node --import tsx bench/agent.ts         (PGlite)
 *   WAVU_TEST_DB=postgres TEST_DATABASE_URL=postgres://… node --import tsx bench/agent.ts
 * BENCH_SAMPLES (default 40) per mode.
 */
import { randomUUID } from 'node:crypto';
import { SYSTEM } from '../src/audit/index.ts';
import { sql } from 'drizzle-orm';
import { issueForPurchase } from '../src/access/issue-for-purchase.ts';
import { createApp } from '../src/app/run.ts';
import { query } from '../src/db/open.ts';
import { agentInstallScript, POLL_INTERVAL_S, type RouterOsMajor } from '../src/gateways/agent/script.ts';
import { gatewaysModule } from '../src/gateways/module.ts';
import { addRouter } from '../src/gateways/index.ts';
import { systemClock } from '../src/lib/clock.ts';
import { SimAgent } from '../src/sim/routeros/agent.ts';
import { SimRouter } from '../src/sim/routeros/router.ts';
import { silentLog, testConfig } from '../test/helpers/app.ts';
import { createTestDatabase, onPostgres } from '../test/helpers/db.ts';
import { summarize, table } from './lib.ts';

const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 40);
const rows: Record<string, string | number>[] = [];

async function run(routeros: RouterOsMajor, label: string): Promise<void> {
  const t = await createTestDatabase();
  const app = await createApp({
    config: testConfig(),
    roles: ['serve', 'worker'],
    log: silentLog(),
    database: t.database,
    clock: systemClock,
    modules: [gatewaysModule],
  });
  const { router, generated } = await addRouter(
    app.deps,
    {
      mode: 'api',
      name: `bench-${routeros}`,
      transport: 'agent',
    },
    { actor: SYSTEM },
  );
  const agent = new SimAgent({ router: new SimRouter({ version: routeros === 7 ? '7.19.4' : '6.49.10' }) });
  await agent.runScript(
    agentInstallScript({
      routerName: router.name,
      pollUrl: `${app.url}/agent/v1/poll`,
      token: generated.agentToken!,
      routeros,
    }),
  );
  agent.start();
  await new Promise((r) => setTimeout(r, 1_500)); // first poll: the router is up
  const samples: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    // A random moment of the poll cycle.
    await new Promise((r) => setTimeout(r, Math.random() * POLL_INTERVAL_S * 1000));
    const t0 = performance.now();
    const { accessCodeId } = await app.deps.db.transaction((tx) =>
      issueForPurchase(tx, app.deps, {
        purchaseId: randomUUID(),
        planId: 1,
        phone: null,
        mac: `A4:00:00:00:${String(Math.floor(i / 100)).padStart(2, '0')}:${String(i % 100).padStart(2, '0')}`,
        routerId: router.id,
        purpose: 'access',
      }),
    );
    for (const deadline = t0 + 60_000; performance.now() < deadline; ) {
      const [g] = await query<{ status: string }>(
        app.deps.db,
        sql`SELECT status FROM access_grants WHERE access_code_id = ${accessCodeId}`,
      );
      if (g?.status === 'granted') break;
      await new Promise((r) => setTimeout(r, 10));
    }
    samples.push(performance.now() - t0);
  }
  if (agent.refused.length) throw new Error(`simulator refused: ${agent.refused.join('; ')}`);
  await agent.stop();
  await app.stop();
  await t.drop();
  const s = summarize(samples);
  rows.push({
    database: onPostgres() ? 'PostgreSQL' : 'PGlite',
    mode: label,
    n: s.n,
    'p50 ms': Math.round(s.p50),
    'p95 ms': Math.round(s.p95),
    'max ms': Math.round(s.max),
  });
  console.error(`${label}: done`, rows.at(-1));
}

await run(6, `plain poll every ${POLL_INTERVAL_S} s (RouterOS 6)`);
await run(7, 'long poll, held up to 25 s (RouterOS 7)');
console.log(table(rows));
console.log(`target: p95 ≤ poll interval + 2 s = ${(POLL_INTERVAL_S + 2) * 1000} ms`);
process.exit(0);
