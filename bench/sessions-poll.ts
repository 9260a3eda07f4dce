/**
 * Cost of one sessions-poll cycle: BENCH_ROUTERS simulated MikroTiks (real TCP, RouterOS API),
 * each with BENCH_SESSIONS logged-in devices whose bytes grow, polled the way the worker does
 * (gateway.sessions.poll, BENCH_CONCURRENCY at a time like one worker). Three cycles:
 *   first   every session is new: rows opened, all usage so far charged
 *   steady  30 s later: every row updated and charged its growth
 *   again   the same moment repeated: nothing changes, nothing charged
 * Statements are counted on PostgreSQL (every query a pool client sends, BEGIN/COMMIT included).
 *   node --import tsx bench/sessions-poll.ts
 *   WAVU_TEST_DB=postgres TEST_DATABASE_URL=postgres://… node --import tsx bench/sessions-poll.ts
 */
import { randomUUID } from 'node:crypto';
import { SYSTEM } from '../src/audit/index.ts';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import pino from 'pino';
import { createApp } from '../src/app/run.ts';
import { query } from '../src/db/open.ts';
import { gatewaysModule } from '../src/gateways/module.ts';
import { addRouter } from '../src/gateways/index.ts';
import { userComment } from '../src/gateways/mikrotik/hotspot-users.ts';
import { pollRouterSessions } from '../src/gateways/sessions/poll-router-sessions.ts';
import { ManualClock } from '../src/lib/clock.ts';
import { type RouterOsSim, startRouterOsSim } from '../src/sim/routeros/index.ts';
import { testConfig } from '../test/helpers/app.ts';
import { createTestDatabase } from '../test/helpers/db.ts';
import { summarize, table } from './lib.ts';

const ROUTERS = Number(process.env.BENCH_ROUTERS ?? 50);
const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 200);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);
const label = process.env.WAVU_TEST_DB === 'postgres' ? 'PostgreSQL' : 'PGlite';

let statements = 0;
const pgQuery = pg.Client.prototype.query;
pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  statements++;
  return (pgQuery as (...a: unknown[]) => unknown).apply(this, args);
} as typeof pg.Client.prototype.query;

const clock = new ManualClock('2026-12-01T08:00:00Z');
const t = await createTestDatabase();
const app = await createApp({
  config: testConfig(),
  roles: [],
  log: pino({ level: 'silent' }),
  database: t.database,
  clock,
  modules: [gatewaysModule],
});
const deps = app.deps;
const hex = (n: number) => n.toString(16).padStart(2, '0').toUpperCase();

const sims: RouterOsSim[] = [];
const routerIds: number[] = [];
const now = clock.now();
for (let r = 0; r < ROUTERS; r++) {
  const sim = await startRouterOsSim({
    users: [{ name: 'wavu', password: 'bench-pass-1' }],
    httpPort: false,
    now: () => clock.now().getTime(),
    trafficPerSecond: { bytesIn: 2_000, bytesOut: 40_000 },
  });
  sims.push(sim);
  const { router } = await addRouter(
    deps,
    {
      mode: 'api',
      name: `bench-${r}`,
      host: '127.0.0.1',
      port: sim.apiPort,
      password: 'bench-pass-1',
    },
    { actor: SYSTEM },
  );
  routerIds.push(router.id);
  // Live codes as grants leave them: a tagged hotspot user per code, its device logged in.
  const codes = Array.from({ length: SESSIONS }, (_, i) => ({
    id: randomUUID(),
    code: `B${r.toString(36).padStart(3, '0')}${i.toString(36).padStart(5, '0')}`.toUpperCase(),
  }));
  const values = codes.map(
    (c) =>
      sql`(${c.id}::uuid, ${`bench-${c.id}`}, ${deps.sealer.seal(c.code)}, 1, 'voucher', 'active', 1, 'wall', 3600,
           ${now}::timestamptz, ${new Date(now.getTime() + 3600_000)}::timestamptz)`,
  );
  await deps.db.execute(
    sql`INSERT INTO access_codes (id, code_hash, code_sealed, plan_id, kind, status, devices, clock, duration_seconds, activated_at, expires_at)
        VALUES ${sql.join(values, sql`, `)}`,
  );
  codes.forEach((c, i) => {
    sim.router.add('/ip/hotspot/user', { name: c.code, password: c.code, comment: userComment(c.id) });
    const login = sim.router.login({
      user: c.code,
      password: c.code,
      ip: `10.5.${i >> 8}.${(i & 255) + 1}`,
      mac: `A4:00:00:${hex(r)}:${hex(i >> 8)}:${hex(i & 255)}`,
      by: 'http-chap',
    });
    if (!login.ok) throw new Error(login.error);
  });
}

async function cycle(name: string) {
  const times: number[] = [];
  statements = 0;
  const t0 = performance.now();
  const queue = [...routerIds];
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
        const s0 = performance.now();
        const r = await pollRouterSessions(deps, id);
        if (r.ok !== true) throw new Error(`poll of router ${id} failed`);
        times.push(performance.now() - s0);
      }
    }),
  );
  const total = performance.now() - t0;
  const s = summarize(times);
  return {
    database: label,
    cycle: name,
    routers: ROUTERS,
    'sessions/router': SESSIONS,
    'statements/poll': label === 'PostgreSQL' ? statements / ROUTERS : '—',
    'ms/router p50': s.p50,
    'ms/router p95': s.p95,
    'cycle total ms': total,
  };
}

// Connect and log in to every router first, as a running worker already has.
const { routerById } = await import('../src/gateways/routers/repo.ts');
for (const id of routerIds)
  await deps.routerConnections.api((await routerById(deps.db, id))!).exec('/system/identity/print');
const rows = [];
rows.push(await cycle('first (all new)'));
clock.advance(30_000);
rows.push(await cycle('steady (+30 s)'));
rows.push(await cycle('again (no change)'));

const [check] = await query<{ n: number; bytes: number }>(
  deps.db,
  sql`SELECT count(*)::int AS n, sum(used_bytes)::bigint AS bytes FROM access_codes`,
);
const expected = ROUTERS * SESSIONS * 30 * 42_000;
if (Number(check!.bytes) !== expected) throw new Error(`charged ${check!.bytes} bytes, expected ${expected}`);

process.stdout.write(`${table(rows)}\n`);
process.stdout.write(`charged ${check!.bytes} bytes to ${check!.n} codes: exactly the routers' counters\n`);
await app.stop();
await deps.routerConnections.closeAll();
for (const s of sims) await s.stop();
await t.drop();
process.exit(0);
