/**
 * Expiry at scale: N codes (default 50,000) whose deadlines all fall in the same minute, on a few
 * routers, with the real worker (production defaults: 4 jobs at a time, 1 s poll) and the real
 * gateway jobs. Measures how late each code comes off its router after its deadline.
 *
 *  - api: RouterOS simulators over real sockets (hotspot users, 5 % of them logged in with a
 *    session and a MAC cookie). A code is off when its grant is marked revoked, which the job does
 *    after the router answered the removes.
 *  - radius: radius-mode routers whose NAS is a UDP peer run here, answering each
 *    Disconnect-Request with a Disconnect-ACK. A code is off when its session is closed, which the
 *    job does after the ACK. The peer counts requests per session (a second one is a duplicate).
 *
 * The routers run in a process of their own (`bench/expiry-routers.ts`), as real routers are other
 * machines; on this machine they still share its cores with the worker and PostgreSQL.
 * `per-code` is the path before batches (one access.expire run and one gateway.revoke per code),
 * `batch` is expireDue + gateway.revoke-batch; both run against the same seed, one after the other.
 *
 *   WAVU_TEST_DB=postgres TEST_DATABASE_URL=postgres://… node --import tsx bench/expiry-scale.ts
 *   BENCH_CODES=50000 BENCH_WINDOW_S=60 BENCH_API_ROUTERS=4 BENCH_RADIUS_ROUTERS=2
 *   BENCH_MODES=api,radius BENCH_PATHS=per-code,batch BENCH_ONLINE=0.05 BENCH_LIMIT_S=60
 */
import { randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
import { sql } from 'drizzle-orm';
import pino from 'pino';
import { hashCode } from '../src/access/codes.ts';
import { expireIfDue } from '../src/access/expire-job.ts';
import { EXPIRE_JOB } from '../src/access/job-kinds.ts';
import { handler } from '../src/jobs/define.ts';
import { accessModule } from '../src/access/module.ts';
import type { Module } from '../src/app/module.ts';
import { createApp } from '../src/app/run.ts';
import { SYSTEM } from '../src/audit/index.ts';
import { query } from '../src/db/open.ts';
import { desiredForRouter } from '../src/gateways/access-specs.ts';
import { addRouter } from '../src/gateways/index.ts';
import { gatewaysModule } from '../src/gateways/module.ts';
import { testConfig } from '../test/helpers/app.ts';
import { createTestDatabase } from '../test/helpers/db.ts';
import { startRouters } from './expiry-routers.ts';
import { summarize, table } from './lib.ts';

const N = Number(process.env.BENCH_CODES ?? 50_000);
const WINDOW_MS = Number(process.env.BENCH_WINDOW_S ?? 60) * 1000;
const API_ROUTERS = Number(process.env.BENCH_API_ROUTERS ?? 4);
const RADIUS_ROUTERS = Number(process.env.BENCH_RADIUS_ROUTERS ?? 2);
const MODES = (process.env.BENCH_MODES ?? 'api,radius').split(',') as ('api' | 'radius')[];
const PATHS = (process.env.BENCH_PATHS ?? 'per-code,batch').split(',') as ('per-code' | 'batch')[];
const ONLINE = Number(process.env.BENCH_ONLINE ?? 0.05);
/** How long after the last deadline to wait for the rest before counting them as not revoked. */
const LIMIT_MS = Number(process.env.BENCH_LIMIT_S ?? 60) * 1000;
/**
 * Time from setting the deadlines to the first one (BENCH_LEAD_S): longer in api mode, which
 * then writes every user on its simulators.
 */
const LEAD_MS = (mode: 'api' | 'radius') =>
  Number(process.env.BENCH_LEAD_S ?? (mode === 'api' ? 30 : 15)) * 1000;
const ROUTER_PASS = 'bench-pass-1';
const SECRET = 'bench-nas-secret-0123456789';

// ------------------------------------------------------------------ one run

const mac = (i: number) =>
  `02:00:${[i >> 24, i >> 16, i >> 8, i].map((b) => (b & 255).toString(16).padStart(2, '0').toUpperCase()).join(':')}`;
const ip = (i: number) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;

/** The access.expire of before batches: each code on its own, with its own gateway.revoke. */
const perCodeAccess: Module = {
  name: 'access-per-code',
  jobs: (deps) => [
    handler(EXPIRE_JOB, async (p) => {
      await expireIfDue(deps, p.accessCodeId);
    }),
  ],
};

async function run(mode: 'api' | 'radius', path: 'per-code' | 'batch') {
  const load0 = loadavg();
  const t = await createTestDatabase();
  const config = testConfig();
  const log = pino({ level: process.env.BENCH_LOG ?? 'silent' });
  // Set-up first (no worker), then the worker on the same database once the seed is in.
  const setup = await createApp({ config, roles: [], log, database: t.database, modules: [gatewaysModule] });
  const deps = setup.deps;
  const nRouters = mode === 'api' ? API_ROUTERS : RADIUS_ROUTERS;
  const nasHosts = mode === 'radius' ? Array.from({ length: nRouters }, (_, i) => `127.0.0.${i + 2}`) : [];
  const codes = Array.from({ length: N }, (_, i) => ({
    id: randomUUID(),
    code: `X${i.toString(16).toUpperCase().padStart(7, '0')}`, // hex: nothing normalizeCode folds
    router: i % nRouters,
    online: mode === 'radius' || i % 100 < ONLINE * 100,
  }));
  const routers = await startRouters({
    api: mode === 'api' ? nRouters : 0,
    nasHosts,
    routerPass: ROUTER_PASS,
    secret: SECRET,
  });
  const { apiPorts, coaPorts } = routers;
  const routerIds: number[] = [];
  for (let r = 0; r < nRouters; r++) {
    const { router } =
      mode === 'api'
        ? await addRouter(
            deps,
            {
              mode: 'api',
              name: `api${r}`,
              host: '127.0.0.1',
              port: apiPorts[r]!,
              transport: 'api',
              username: 'wavu',
              password: ROUTER_PASS,
            },
            { actor: SYSTEM },
          )
        : await addRouter(
            deps,
            { mode: 'radius', name: `nas${r}`, address: nasHosts[r]!, secret: SECRET, coaPort: coaPorts[r]! },
            { actor: SYSTEM },
          );
    routerIds.push(router.id);
  }

  // The seed, in chunks of one statement each: live codes (deadline set below), their grant
  // (api) or live session (radius).
  const now = new Date();
  for (let i = 0; i < N; i += 5000) {
    const chunk = codes.slice(i, i + 5000).map((c, j) => ({
      id: c.id,
      hash: hashCode(deps.sealer, c.code),
      sealed: deps.sealer.seal(c.code),
      router: routerIds[c.router]!,
      mac: mac(i + j),
      ip: ip(i + j),
      user_name: c.code,
    }));
    const json = JSON.stringify(chunk);
    await deps.db.execute(
      sql`INSERT INTO access_codes (id, code_hash, code_sealed, plan_id, kind, status, devices, clock, duration_seconds,
                                    issued_at, activated_at, expires_at, updated_at)
          SELECT id, hash, sealed, 1, 'voucher', 'active', 1, 'wall', 3600, ${now}, ${now}, ${now}::timestamptz + interval '1 day', ${now}
          FROM jsonb_to_recordset(${json}::jsonb) AS x(id uuid, hash text, sealed text)`,
    );
    if (mode === 'api')
      await deps.db.execute(
        sql`INSERT INTO access_grants (access_code_id, router_id, status, attempts, requested_at, granted_at, updated_at)
            SELECT id, router, 'granted', 1, ${now}, ${now}, ${now}
            FROM jsonb_to_recordset(${json}::jsonb) AS x(id uuid, router int)`,
      );
    else
      await deps.db.execute(
        sql`INSERT INTO sessions (id, access_code_id, router_id, acct_session_id, username, mac, ip, started_at, updated_at)
            SELECT gen_random_uuid(), id, router, 'S' || user_name, user_name, mac, ip, ${now}, ${now}
            FROM jsonb_to_recordset(${json}::jsonb) AS x(id uuid, router int, mac text, ip text, user_name text)`,
      );
  }
  // Deadlines spread evenly over one window from a little after now, each with its access.expire
  // job at the deadline (as scheduleExpiry writes it).
  await deps.db.execute(sql`ANALYZE`);
  const base = Date.now() + LEAD_MS(mode);
  await deps.db.execute(
    sql`WITH o AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM access_codes)
        UPDATE access_codes c SET expires_at = 'epoch'::timestamptz
               + ((${base}::bigint + (o.n * ${WINDOW_MS}::bigint) / ${N}::bigint) || ' milliseconds')::interval
        FROM o WHERE o.id = c.id`,
  );
  await deps.db.execute(
    sql`INSERT INTO jobs (kind, payload, run_at, max_attempts, idempotency_key, created_at, updated_at)
        SELECT 'access.expire', jsonb_build_object('accessCodeId', id), expires_at, 12,
               'expire:' || id || ':' || floor(extract(epoch FROM expires_at) * 1000)::bigint, now(), now()
        FROM access_codes`,
  );
  if (mode === 'api') {
    const byId = new Map(codes.map((c, i) => [c.id, { c, i }]));
    for (const [r, routerId] of routerIds.entries()) {
      const { specs } = await desiredForRouter(deps.db, deps, routerId, new Date());
      await routers.seedUsers(
        r,
        specs,
        specs.map((spec) => {
          const { c, i } = byId.get(spec.accessCodeId as (typeof codes)[number]['id'])!;
          return c.online ? { mac: mac(i), ip: ip(i) } : null;
        }),
      );
    }
  }
  if (Date.now() > base - 1000) throw new Error('seeding ran past the first deadline: raise BENCH_LEAD_S');
  console.log(`${mode}: seeded ${((base - Date.now()) / 1000).toFixed(1)} s before the first deadline`);

  const statements0 = t.database.stats.statements;
  const worker = await createApp({
    config,
    roles: ['worker'],
    log,
    database: t.database,
    modules: [gatewaysModule, path === 'batch' ? accessModule : perCodeAccess],
    workerOptions: { concurrency: Number(process.env.BENCH_WORKER_CONCURRENCY ?? 4), pollMs: 1000 },
  });
  const offCount = async () => {
    const [r] = await query<{ n: number }>(
      deps.db,
      mode === 'api'
        ? sql`SELECT count(*)::int AS n FROM access_grants WHERE status = 'revoked'`
        : sql`SELECT count(*)::int AS n FROM sessions WHERE status = 'closed'`,
    );
    return Number(r!.n);
  };
  const giveUp = base + WINDOW_MS + LIMIT_MS;
  let off = 0;
  while (Date.now() < giveUp) {
    await new Promise((r) => setTimeout(r, 1000));
    off = await offCount();
    if (off >= N) break;
  }
  const statements = t.database.stats.statements - statements0;
  await worker.stop();
  // Per kind and status, with how long the finished ones took from being queued (p50 / max):
  // where a late code waited.
  const jobs = await query<{
    kind: string;
    status: string;
    n: number;
    err: string | null;
    p50: number;
    mx: number;
  }>(
    deps.db,
    sql`SELECT kind, status, count(*)::int AS n, max(last_error) AS err,
               round(extract(epoch FROM percentile_cont(0.5) WITHIN GROUP (ORDER BY finished_at - created_at)) * 1000)::int AS p50,
               round(extract(epoch FROM max(finished_at - created_at)) * 1000)::int AS mx
        FROM jobs GROUP BY kind, status ORDER BY kind, status`,
  );
  console.log(
    `${mode} ${path} jobs: ${jobs
      .map(
        (j) =>
          `${j.kind} ${j.status} ${j.n}${j.p50 == null ? '' : ` (${j.p50} / ${j.mx} ms)`}${j.err ? ` (${j.err.slice(0, 120)})` : ''}`,
      )
      .join('; ')}`,
  );
  const rows = await query<{ late: number | string; at: number | string }>(
    deps.db,
    mode === 'api'
      ? sql`SELECT extract(epoch FROM g.revoked_at - c.expires_at) * 1000 AS late,
                   extract(epoch FROM c.expires_at) * 1000 AS at
            FROM access_grants g JOIN access_codes c ON c.id = g.access_code_id WHERE g.status = 'revoked'`
      : sql`SELECT extract(epoch FROM s.stopped_at - c.expires_at) * 1000 AS late,
                   extract(epoch FROM c.expires_at) * 1000 AS at
            FROM sessions s JOIN access_codes c ON c.id = s.access_code_id WHERE s.status = 'closed'`,
  );
  const late = rows.map((r) => Number(r.late));
  // Lateness along the window (deadlines in 5 s steps): a stall shows as a run of late steps.
  const steps = new Map<number, number[]>();
  for (const r of rows) {
    const k = Math.floor((Number(r.at) - base) / 5000);
    if (!steps.has(k)) steps.set(k, []);
    steps.get(k)!.push(Number(r.late));
  }
  console.log(
    `${mode} ${path} p50 lateness by deadline, 5 s steps: ${[...steps.keys()]
      .sort((a, b) => a - b)
      .map((k) => `${k * 5}s ${summarize(steps.get(k)!).p50.toFixed(0)}`)
      .join(', ')}`,
  );
  const stats = await routers.stats();
  await routers.stop();
  await setup.stop();
  await t.drop();
  const s = summarize(late);
  const within = late.filter((l) => l <= 2000).length;
  return {
    codes: N,
    routers: nRouters,
    mode,
    path,
    revoked: `${off}/${N}`,
    'p50 ms': s.p50,
    'p99 ms': off < N ? Number.NaN : s.p99,
    'max ms': off < N ? Number.NaN : s.max,
    'within 2 s': `${((100 * within) / N).toFixed(1)}%`,
    'stmts/code': statements / N,
    'left on router': mode === 'api' ? `${stats.usersLeft} users, ${stats.activeLeft} active` : '-',
    'NAS dup': mode === 'radius' ? stats.duplicates : '-',
    load: `${load0[0]!.toFixed(2)} → ${loadavg()[0]!.toFixed(2)}`,
  };
}

async function main() {
  const out: Awaited<ReturnType<typeof run>>[] = [];
  console.log(
    `expiry at scale: ${N} codes, deadlines over ${WINDOW_MS / 1000} s, load ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  for (const mode of MODES)
    for (const path of PATHS) {
      const r = await run(mode, path);
      console.log(table([r]));
      out.push(r);
    }
  console.log(`\n${table(out)}`);
  for (const mode of MODES) {
    const before = out.find((r) => r.mode === mode && r.path === 'per-code');
    const after = out.find((r) => r.mode === mode && r.path === 'batch');
    if (before && after)
      console.log(
        `${mode}: statements per code ${(before['stmts/code'] / after['stmts/code']).toFixed(1)}× fewer batched; ` +
          `within 2 s ${before['within 2 s']} → ${after['within 2 s']}`,
      );
  }
  console.log(
    `load average at end: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
}

await main();
