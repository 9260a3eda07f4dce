/**
 * Wavu's RADIUS server against FreeRADIUS 3 with rlm_sql on PostgreSQL, on this machine, in one
 * run. Both get the same 200 users (Session-Timeout and a rate limit in the reply, Message-
 * Authenticator required, accounting to SQL), each on its own throwaway database, on free ports.
 * One load generator (ours, below: closed-loop UDP clients, per-request latency) drives both,
 * alternating A B A B per row, and the table gives the throughput ratio with the load average.
 *   TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test node --import tsx bench/radius-vs-freeradius.ts
 * Installs freeradius, freeradius-postgresql and freeradius-utils with apt-get when missing.
 * BENCH_REQUESTS (per run, default 2000), BENCH_INFLIGHT (default 1,8,32), BENCH_ROUNDS (default 2),
 * BENCH_CPU_PROF (a folder: write a CPU profile of Wavu's process there), BENCH_WAVU_POOL (Wavu's
 * PostgreSQL connections, default 10 as in production; FreeRADIUS has 32).
 */
import { spawn, spawnSync, type ChildProcess, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import pino from 'pino';
import { createDeps } from '../src/app/create-deps.ts';
import { migrate } from '../src/db/migrate.ts';
import { openDatabase } from '../src/db/open.ts';
import { systemClock } from '../src/lib/clock.ts';
import {
  attr,
  decodePacket,
  encodeRequest,
  type RadiusAttribute,
  RadiusCode,
  verifyResponse,
} from '../src/protocols/radius/index.ts';
import { startRadiusService } from '../src/radius/service.ts';
import { testConfig } from '../test/helpers/app.ts';
import { addRadiusRouter, addVoucher } from '../test/radius/helpers.ts';
import { summarize, table } from './lib.ts';

const SECRET = 'bench-secret-0123456789abcdef';
const USERS = 200;
const HOURS = 24;
const RATE = '2048k/4096k';

// ---- Wavu, in a child process of its own so the load generator does not share its event loop.
if (process.env.BENCH_WAVU_CHILD) {
  const database = await openDatabase({
    databaseUrl: process.env.BENCH_WAVU_CHILD,
    poolSize: Number(process.env.BENCH_WAVU_POOL ?? 10),
  });
  await migrate(database);
  const deps = createDeps({
    config: testConfig(),
    database,
    clock: systemClock,
    log: pino({ level: 'silent' }),
  });
  await addRadiusRouter(deps, { name: 'bench', secret: SECRET, address: '127.0.0.1', identifier: 'bench' });
  const codes: string[] = [];
  for (let i = 0; i < USERS; i++)
    codes.push((await addVoucher(deps, { hours: HOURS, devices: 20, upKbps: 2048, downKbps: 4096 })).code);
  const server = await startRadiusService(deps, { host: '127.0.0.1', authPort: 0, acctPort: 0 });
  process.send!({ ready: true, authPort: server.authPort, acctPort: server.acctPort, codes });
  // The bench died: so does its server (the throwaway database is dropped by the next run's owner).
  process.on('disconnect', () => process.exit(1));
  process.on('message', async (m: string) => {
    if (m === 'stats')
      process.send!({ stats: { ...(database.stats ?? { statements: 0, transactions: 0 }) } });
    if (m === 'stop') {
      await server.stop();
      await database.close();
      process.exit(0);
    }
  });
  await new Promise(() => {});
}

// ---- The load generator.
interface Target {
  name: string;
  authPort: number;
  acctPort: number;
}

const mac = (i: number) =>
  `02:00:00:00:${((i >> 8) & 0xff).toString(16).padStart(2, '0')}:${(i & 0xff).toString(16).padStart(2, '0')}`;

function accessRequest(codes: string[], c: number, i: number, id: number): Buffer {
  const k = (c * 7919 + i) % codes.length;
  return encodeRequest({
    code: RadiusCode.AccessRequest,
    identifier: id,
    attributes: [
      attr('User-Name', codes[k]!),
      attr('User-Password', codes[k]!),
      attr('Calling-Station-Id', mac(k)),
      attr('NAS-Identifier', 'bench'),
      attr('NAS-IP-Address', '127.0.0.1'),
    ],
    secret: SECRET,
  });
}

function interim(codes: string[], c: number, i: number, id: number): Buffer {
  const k = (c * 7919 + i) % codes.length;
  const attrs: RadiusAttribute[] = [
    attr('User-Name', codes[k]!),
    attr('Acct-Session-Id', `s-${c}-${k}`),
    attr('Acct-Status-Type', 'Interim-Update'),
    attr('Acct-Session-Time', i),
    attr('Acct-Input-Octets', i * 1000),
    attr('Acct-Output-Octets', i * 9000),
    attr('Calling-Station-Id', mac(k)),
    attr('NAS-Identifier', 'bench'),
    attr('NAS-IP-Address', '127.0.0.1'),
  ];
  return encodeRequest({
    code: RadiusCode.AccountingRequest,
    identifier: id,
    attributes: attrs,
    secret: SECRET,
  });
}

/** One socket sending one request after another, like one busy NAS; latency per answered request. */
async function client(port: number, n: number, build: (i: number, id: number) => Buffer, lat: number[]) {
  const sock: Socket = createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  let lost = 0;
  let wrong = 0;
  for (let i = 0; i < n; i++) {
    const id = i & 0xff;
    const req = build(i, id);
    const t0 = performance.now();
    const reply = await new Promise<Buffer | null>((resolve) => {
      const timer = setTimeout(() => {
        sock.off('message', on);
        resolve(null);
      }, 3000);
      const on = (m: Buffer) => {
        if (m[1] !== id) return;
        clearTimeout(timer);
        sock.off('message', on);
        resolve(m);
      };
      sock.on('message', on);
      sock.send(req, port, '127.0.0.1');
    });
    if (!reply) {
      lost++;
      continue;
    }
    const p = decodePacket(reply);
    const expected =
      req[0] === RadiusCode.AccessRequest ? RadiusCode.AccessAccept : RadiusCode.AccountingResponse;
    if (!verifyResponse(p, req.subarray(4, 20), SECRET).ok || p.code !== expected) wrong++;
    else lat.push(performance.now() - t0);
  }
  sock.close();
  return { lost, wrong };
}

async function drive(
  port: number,
  inFlight: number,
  total: number,
  build: (c: number, i: number, id: number) => Buffer,
) {
  const lat: number[] = [];
  const t0 = performance.now();
  const r = await Promise.all(
    Array.from({ length: inFlight }, (_, c) =>
      client(port, Math.ceil(total / inFlight), (i, id) => build(c, i, id), lat),
    ),
  );
  const secs = (performance.now() - t0) / 1000;
  return {
    lat,
    secs,
    lost: r.reduce((a, b) => a + b.lost, 0),
    wrong: r.reduce((a, b) => a + b.wrong, 0),
  };
}

// ---- FreeRADIUS with rlm_sql on its own database and config directory.
function ensureFreeradius() {
  const have = (pkg: string) =>
    spawnSync('dpkg-query', ['-W', `-f=${'$'}{Status}`, pkg])
      .stdout.toString()
      .includes('ok installed');
  const missing = ['freeradius', 'freeradius-postgresql', 'freeradius-utils'].filter((p) => !have(p));
  if (!missing.length) return;
  console.error(`installing ${missing.join(' ')}`);
  const r = spawnSync('apt-get', ['install', '-y', '-qq', ...missing], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`apt-get install ${missing.join(' ')} failed`);
}

async function freePort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  const port = s.address().port;
  s.close();
  return port;
}

function freeradiusConfig(dir: string, db: URL, authPort: number, acctPort: number) {
  const conf = '/etc/freeradius/3.0';
  writeFileSync(
    join(dir, 'radiusd.conf'),
    `prefix = /usr
exec_prefix = /usr
sysconfdir = /etc
localstatedir = /var
sbindir = /usr/sbin
logdir = ${dir}
raddbdir = ${dir}
radacctdir = ${dir}
name = freeradius
confdir = ${dir}
modconfdir = ${conf}/mods-config
run_dir = ${dir}
db_dir = ${dir}
libdir = /usr/lib/freeradius
pidfile = ${dir}/radiusd.pid
max_request_time = 30
cleanup_delay = 5
max_requests = 16384
hostname_lookups = no
log {
  destination = stderr
  auth = no
}
security {
  allow_core_dumps = no
  max_attributes = 200
  reject_delay = 0
  status_server = no
}
thread pool {
  start_servers = 8
  max_servers = 32
  min_spare_servers = 4
  max_spare_servers = 16
  max_requests_per_server = 0
}
client bench {
  ipaddr = 127.0.0.1
  secret = ${SECRET}
  require_message_authenticator = yes
  nas_type = other
}
modules {
  expr {
  }
  pap {
    normalise = yes
  }
  sql {
    dialect = "postgresql"
    driver = "rlm_sql_postgresql"
    server = "${db.hostname}"
    port = ${db.port || 5432}
    login = "${decodeURIComponent(db.username)}"
    password = "${decodeURIComponent(db.password)}"
    radius_db = "${db.pathname.slice(1)}"
    acct_table1 = "radacct"
    acct_table2 = "radacct"
    postauth_table = "radpostauth"
    authcheck_table = "radcheck"
    groupcheck_table = "radgroupcheck"
    authreply_table = "radreply"
    groupreply_table = "radgroupreply"
    usergroup_table = "radusergroup"
    delete_stale_sessions = yes
    client_table = "nas"
    read_clients = no
    group_attribute = "SQL-Group"
    # As many connections as threads: with fewer, rlm_sql rejects a request that finds none free.
    pool {
      start = 32
      min = 32
      max = 32
      spare = 32
      uses = 0
      retry_delay = 1
      lifetime = 0
      idle_timeout = 0
    }
    $INCLUDE \${modconfdir}/sql/main/postgresql/queries.conf
  }
}
server default {
  listen {
    type = auth
    ipaddr = 127.0.0.1
    port = ${authPort}
  }
  listen {
    type = acct
    ipaddr = 127.0.0.1
    port = ${acctPort}
  }
  authorize {
    sql
    pap
  }
  authenticate {
    Auth-Type PAP {
      pap
    }
  }
  preacct {
  }
  accounting {
    sql
  }
  post-auth {
    sql
  }
}
`,
  );
}

async function startFreeradius(adminUrl: string, codes: string[]) {
  ensureFreeradius();
  const name = `wavu_bench_fr_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const c = new pg.Client({ connectionString: url.toString() });
  await c.connect();
  await c.query(readFileSync('/etc/freeradius/3.0/mods-config/sql/main/postgresql/schema.sql', 'utf8'));
  for (const code of codes) {
    await c.query(
      `INSERT INTO radcheck (username, attribute, op, value) VALUES ($1, 'Cleartext-Password', ':=', $1)`,
      [code],
    );
    await c.query(
      `INSERT INTO radreply (username, attribute, op, value) VALUES ($1, 'Session-Timeout', ':=', $2), ($1, 'Mikrotik-Rate-Limit', ':=', $3)`,
      [code, String(HOURS * 3600), RATE],
    );
  }
  await c.end();
  const dir = mkdtempSync(join(tmpdir(), 'wavu-fr-'));
  const authPort = await freePort();
  const acctPort = await freePort();
  freeradiusConfig(dir, url, authPort, acctPort);
  const proc = spawn('freeradius', ['-f', '-d', dir, '-n', 'radiusd'], {
    cwd: dir,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  proc.stderr!.on('data', (d) => {
    log += d;
  });
  // Ready when it answers: an Access-Request for a known user.
  const probe = async () => {
    for (let i = 0; i < 100; i++) {
      if (proc.exitCode !== null) throw new Error(`freeradius exited:\n${log}`);
      const r = await drive(authPort, 1, 1, (_c, _i, id) => accessRequest(codes, 0, 0, id));
      if (r.lat.length) return;
      await new Promise((res) => setTimeout(res, 200));
    }
    throw new Error(`freeradius did not answer:\n${log}`);
  };
  await probe();
  return {
    target: { name: 'FreeRADIUS', authPort, acctPort } as Target,
    async stop() {
      proc.kill('SIGTERM');
      await new Promise((r) => proc.once('exit', r));
      rmSync(dir, { recursive: true, force: true });
      const a = new pg.Client({ connectionString: adminUrl });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.end();
    },
  };
}

async function startWavu(adminUrl: string) {
  const name = `wavu_bench_w_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const child: ChildProcess = fork(new URL(import.meta.url).pathname, [], {
    env: { ...process.env, BENCH_WAVU_CHILD: url.toString() },
    // BENCH_CPU_PROF=DIR writes a V8 CPU profile of Wavu's process there (open it in DevTools).
    execArgv: [
      '--import',
      'tsx',
      ...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : []),
    ],
  });
  const ready = await new Promise<{ authPort: number; acctPort: number; codes: string[] }>(
    (resolve, reject) => {
      child.once('message', (m) => resolve(m as never));
      child.once('exit', (code) => reject(new Error(`Wavu child exited ${code}`)));
    },
  );
  const stats = () =>
    new Promise<{ statements: number; transactions: number }>((resolve) => {
      child.once('message', (m) =>
        resolve((m as { stats: { statements: number; transactions: number } }).stats),
      );
      child.send('stats');
    });
  return {
    target: { name: 'Wavu', authPort: ready.authPort, acctPort: ready.acctPort } as Target,
    codes: ready.codes,
    stats,
    async stop() {
      child.send('stop');
      await new Promise((r) => child.once('exit', r));
      const a = new pg.Client({ connectionString: adminUrl });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.end();
    },
  };
}

// ---- The run.
const adminUrl = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL;
if (!adminUrl) {
  console.error('set TEST_DATABASE_URL (a PostgreSQL server where throwaway databases may be created)');
  process.exit(2);
}
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 2000);
const IN_FLIGHT = (process.env.BENCH_INFLIGHT ?? '1,8,32').split(',').map(Number);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);

console.error('starting Wavu (migrate, 200 vouchers)…');
const wavu = await startWavu(adminUrl);
console.error('starting FreeRADIUS (schema, 200 users)…');
const fr = await startFreeradius(adminUrl, wavu.codes).catch(async (e) => {
  await wavu.stop();
  throw e;
});
console.error('running');
const rows: Record<string, string | number>[] = [];
const load0 = loadavg()[0]!;
try {
  for (const [kind, build, port] of [
    ['Access-Request (PAP)', accessRequest, (t: Target) => t.authPort],
    ['Accounting Interim', interim, (t: Target) => t.acctPort],
  ] as const) {
    for (const n of IN_FLIGHT) {
      const acc = new Map<
        string,
        { lat: number[]; secs: number; lost: number; wrong: number; stmts: number; tx: number }
      >();
      for (let round = 0; round < ROUNDS; round++) {
        for (const t of [wavu.target, fr.target]) {
          const before = t === wavu.target ? await wavu.stats() : null;
          const r = await drive(port(t), n, REQUESTS, (c, i, id) => build(wavu.codes, c + round * 97, i, id));
          const after = t === wavu.target ? await wavu.stats() : null;
          const a = acc.get(t.name) ?? { lat: [], secs: 0, lost: 0, wrong: 0, stmts: 0, tx: 0 };
          a.lat.push(...r.lat);
          a.secs += r.secs;
          a.lost += r.lost;
          a.wrong += r.wrong;
          if (before && after) {
            a.stmts += after.statements - before.statements;
            a.tx += after.transactions - before.transactions;
          }
          acc.set(t.name, a);
        }
      }
      const w = acc.get('Wavu')!;
      const f = acc.get('FreeRADIUS')!;
      const rate = (x: typeof w) => x.lat.length / x.secs;
      const sent = REQUESTS * ROUNDS;
      rows.push({
        request: kind,
        'in flight': n,
        'Wavu req/s': Math.round(rate(w)),
        'FreeRADIUS req/s': Math.round(rate(f)),
        'Wavu / FreeRADIUS': `${(rate(w) / rate(f)).toFixed(2)}×`,
        'Wavu p50 ms': summarize(w.lat).p50,
        'Wavu p99 ms': summarize(w.lat).p99,
        'FR p50 ms': summarize(f.lat).p50,
        'FR p99 ms': summarize(f.lat).p99,
        'Wavu stmts/req': Math.round((w.stmts / sent) * 100) / 100,
        'Wavu tx/req': Math.round((w.tx / sent) * 100) / 100,
        'lost/wrong (W, FR)': `${w.lost}/${w.wrong}, ${f.lost}/${f.wrong}`,
      });
    }
  }
} finally {
  await fr.stop();
  await wavu.stop();
}
const load1 = loadavg();
console.log(table(rows));
console.log(
  `\n${ROUNDS} rounds of ${REQUESTS} requests per server per row, alternating Wavu, FreeRADIUS. ` +
    `Load average (1 min) ${load0.toFixed(2)} at start, ${load1.map((l) => l.toFixed(2)).join(' ')} at end.`,
);
