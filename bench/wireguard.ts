/**
 * Paid → online for a router Wavu reaches through a WireGuard tunnel, against the same simulator
 * reached directly. Both simulators run in one network namespace (the lab of the WireGuard test):
 * "direct" listens on the namespace's veth address, "wireguard" on its tunnel address behind
 * userspace wireguard-go at both ends. Real clock, running worker (NOTIFY wake-up).
 *  - paid → online: the grant's transaction commits → Wavu has the hotspot user on the router
 *    (access_grants.status = 'granted', written once the router confirmed the add)
 *  - API round trip: one /system/resource/print on an open connection
 *   node --import tsx bench/wireguard.ts        (needs root and wireguard-go)
 */
import { randomUUID } from 'node:crypto';
import { SYSTEM } from '../src/audit/index.ts';
import { sql } from 'drizzle-orm';
import pino from 'pino';
import { issueForPurchase } from '../src/access/issue-for-purchase.ts';
import { createApp } from '../src/app/run.ts';
import { query } from '../src/db/open.ts';
import { gatewaysModule } from '../src/gateways/module.ts';
import { addRouter, findRouter, testRouter, updateRouter } from '../src/gateways/index.ts';
import { routerScript } from '../src/gateways/routers/router-script.ts';
import { serverConfig } from '../src/gateways/wireguard/server-config.ts';
import { testConfig } from '../test/helpers/app.ts';
import { createTestDatabase } from '../test/helpers/db.ts';
import { startWireguardLab, wireguardLabMissing } from '../test/helpers/wireguard-lab.ts';
import { summarize, table } from './lib.ts';

const GRANTS = Number(process.env.BENCH_GRANTS ?? 100);
const ROUND_TRIPS = Number(process.env.BENCH_ROUND_TRIPS ?? 200);

const missing = wireguardLabMissing();
if (missing) {
  process.stderr.write(`bench/wireguard: cannot run here: ${missing}\n`);
  process.exit(1);
}

const lab = await startWireguardLab();
const t = await createTestDatabase();
try {
  const app = await createApp({
    config: testConfig({
      WIREGUARD_SUBNET: lab.subnet,
      WIREGUARD_ENDPOINT: lab.endpoint,
      WIREGUARD_LISTEN_PORT: String(lab.listenPort),
    }),
    roles: ['worker'],
    log: pino({ level: 'silent' }),
    database: t.database,
    modules: [gatewaysModule],
    workerOptions: { pollMs: 1000, concurrency: 4 },
  });
  const deps = app.deps;

  const wg = (
    await addRouter(deps, { mode: 'api', name: 'wireguard', tunnel: 'wireguard' }, { actor: SYSTEM })
  ).router;
  const end = await lab.startRouterEnd(await routerScript(deps, await findRouter(deps, wg.id)));
  lab.applyServerConfig(await serverConfig(deps));
  const wgSim = await lab.startSim({ host: end.address, user: end.user, password: end.password });
  await updateRouter(deps, wg.id, { port: wgSim.apiPort }, { actor: SYSTEM });

  const directSim = await lab.startSim({ host: lab.routerUnderlay, user: 'wavu', password: 'bench-pass-1' });
  const direct = (
    await addRouter(
      deps,
      {
        mode: 'api',
        name: 'direct',
        host: lab.routerUnderlay,
        port: directSim.apiPort,
        password: 'bench-pass-1',
      },
      { actor: SYSTEM },
    )
  ).router;

  for (const r of [direct, wg]) {
    const h = await testRouter(deps, r.id);
    if (!h.health.ok) throw new Error(`${r.name} does not answer: ${h.health.error}`);
  }

  let n = 0;
  const paidToOnline = async (routerId: number) => {
    const t0 = performance.now();
    const { accessCodeId } = await deps.db.transaction((tx) =>
      issueForPurchase(tx, deps, {
        purchaseId: randomUUID(),
        planId: 1,
        phone: null,
        mac: `A4:00:00:00:${((n >> 8) & 255).toString(16).padStart(2, '0')}:${(n++ & 255).toString(16).padStart(2, '0')}`.toUpperCase(),
        routerId,
        purpose: 'access',
      }),
    );
    for (;;) {
      const [g] = await query<{ status: string }>(
        deps.db,
        sql`SELECT status FROM access_grants WHERE access_code_id = ${accessCodeId} AND router_id = ${routerId}`,
      );
      if (g?.status === 'granted') return performance.now() - t0;
      await new Promise((r) => setTimeout(r, 1));
    }
  };

  const samples = { direct: [] as number[], wireguard: [] as number[] };
  // Alternate, so both see the same machine load.
  for (let i = 0; i < GRANTS; i++) {
    samples.direct.push(await paidToOnline(direct.id));
    samples.wireguard.push(await paidToOnline(wg.id));
  }

  const rtt = { direct: [] as number[], wireguard: [] as number[] };
  for (let i = 0; i < ROUND_TRIPS; i++) {
    for (const r of [direct, wg]) {
      const api = deps.routerConnections.api(await findRouter(deps, r.id));
      const t0 = performance.now();
      await api.exec('/system/resource/print');
      rtt[r.name as 'direct' | 'wireguard'].push(performance.now() - t0);
    }
  }

  const rows = (['direct', 'wireguard'] as const).flatMap((k) => {
    const p = summarize(samples[k]);
    const q = summarize(rtt[k]);
    return [
      { router: k, measure: 'paid → online (ms)', n: p.n, p50: p.p50, p95: p.p95, p99: p.p99, max: p.max },
      { router: k, measure: 'API round trip (ms)', n: q.n, p50: q.p50, p95: q.p95, p99: q.p99, max: q.max },
    ];
  });
  process.stdout.write(
    `WireGuard vs direct, ${GRANTS} grants each, ${process.env.WAVU_TEST_DB === 'postgres' ? 'PostgreSQL' : 'PGlite'}\n${table(rows)}\n`,
  );
  await app.stop();
  await deps.routerConnections.closeAll();
} finally {
  await t.drop();
  lab.close();
}
