/**
 * One fault run: a fresh PostgreSQL database, the Daraja and RouterOS simulators, and on one or
 * two nodes `wavu serve` (behind a balancer), `wavu worker` and `wavu radius` (the NAS knows
 * both servers), each its own process. Customers buy and answer prompts while the simulator loses, repeats and delays
 * callbacks, and roles are `kill -9`ed at random moments and started again. When the load is
 * over it waits for reconciliation to settle everything, then judges the outcome
 * (verdict.ts). Real clock throughout: the STK Query schedule is what MPESA_QUERY_AT says.
 */
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createDarajaClient } from '../../src/protocols/daraja/client.ts';
import { DEMO_APP, DEMO_MERCHANT } from '../../src/sim/daraja/types.ts';
import { seededRandom } from '../../src/sim/daraja/outcomes.ts';
import { productionEnv } from '../lib.ts';
import { startBalancer } from './balancer.ts';
import { type CustomerOutcome, drawCustomers, type Shop, visit } from './customers.ts';
import { RouterWatch } from './online.ts';
import { Proc, runWavu, sleep } from './processes.ts';
import { judge, type Verdict } from './verdict.ts';

export type Role = 'serve' | 'worker' | 'radius';

export interface ChaosOptions {
  n: number;
  kills: number;
  seed: number;
  /** Customers buying at the same time. */
  concurrency: number;
  /** Nodes (1 or 2), each running serve, worker and radius as separate processes. */
  nodes: number;
  /** PostgreSQL to create the throwaway database on. */
  adminUrl: string;
  /** Customer's time to answer a prompt, ms. */
  thinkMs: [number, number];
  /** The simulator's prompt timeout (an ignored prompt ends with 1037). */
  promptTimeoutMs: number;
  /** MPESA_QUERY_AT / MPESA_EXPIRE_AFTER for the roles (seconds); unset = Wavu's defaults. */
  queryAt?: string;
  expireAfter?: string;
  faults: { drop: number; duplicate: number; delayMs: [number, number]; push500: number; query500: number };
  /**
   * The Paybill has C2B URLs registered, so Daraja also sends each paid STK push as a C2B
   * confirmation (the account number is the purchase ref): a second, independent signal.
   */
  c2bEcho: boolean;
  /** Longest wait for everything to settle once the load is over. */
  settleMs: number;
  /** Also wait for (and judge) every paid customer being online. */
  online: boolean;
  /**
   * Also wait until every job a killed worker was running has been taken over by another (its
   * lease lapsed), so a job that dies of it is seen. Leases are minutes long.
   */
  leases: boolean;
  /** Progress lines. */
  say: (line: string) => void;
}

export interface ChaosReport {
  verdict: Verdict;
  outcomes: CustomerOutcome[];
  kills: Record<Role, number>;
  loadMs: number;
  settleMs: number;
  settled: boolean;
  logDir: string;
}

async function freeTcpPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

async function freeUdpPort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  const port = s.address().port;
  s.close();
  return port;
}

const started = (out: string) => out.includes('"msg":"wavu started"');

export async function runChaos(o: ChaosOptions): Promise<ChaosReport> {
  const rnd = seededRandom(o.seed);
  const logDir = mkdtempSync(join(tmpdir(), 'wavu-chaos-'));
  const dbName = `wavu_chaos_${randomBytes(5).toString('hex')}`;
  const dbUrl = new URL(o.adminUrl);
  dbUrl.pathname = `/${dbName}`;
  const admin = new pg.Client({ connectionString: o.adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  await admin.end();

  const procs: Proc[] = [];
  let balancer: Awaited<ReturnType<typeof startBalancer>> | null = null;
  let watch: RouterWatch | null = null;
  const db = new pg.Pool({ connectionString: dbUrl.toString(), max: 2 });
  let stopped = false;
  try {
    const [darajaPort, apiPort, httpPort] = await Promise.all([freeTcpPort(), freeTcpPort(), freeTcpPort()]);
    const radiusPorts = await Promise.all(
      Array.from({ length: o.nodes }, async () => ({ auth: await freeUdpPort(), acct: await freeUdpPort() })),
    );
    const servePorts = await Promise.all(Array.from({ length: o.nodes }, freeTcpPort));
    balancer = await startBalancer(servePorts);
    const routerPassword = randomBytes(9).toString('hex');
    const radiusSecret = randomBytes(12).toString('hex');
    const f = o.faults;
    const simUrl = `http://127.0.0.1:${darajaPort}`;
    const sims = [
      new Proc(
        {
          name: 'daraja',
          args: [
            'sim',
            'daraja',
            ...['--port', String(darajaPort), '--seed', String(o.seed)],
            ...['--prompt-timeout', String(o.promptTimeoutMs), '--delay', `${f.delayMs[0]}-${f.delayMs[1]}`],
            ...['--drop', String(f.drop), '--duplicate', String(f.duplicate)],
            ...['--push-500', String(f.push500), '--query-500', String(f.query500)],
            ...(o.c2bEcho ? ['--stk-also-c2b'] : []),
          ],
          env: {},
          ready: (out) => out.includes('Daraja simulator on'),
        },
        logDir,
      ),
      new Proc(
        {
          name: 'routeros',
          args: [
            'sim',
            'routeros',
            ...['--port', String(apiPort), '--http-port', String(httpPort), '--password', routerPassword],
          ],
          env: {},
          ready: (out) => out.includes('Add to Wavu'),
        },
        logDir,
      ),
    ];
    const env: Record<string, string> = {
      ...productionEnv({
        dataDir: join(logDir, 'data'),
        databaseUrl: dbUrl.toString(),
        publicUrl: `http://127.0.0.1:${balancer.port}`,
        mpesaBaseUrl: simUrl,
      }),
      ...(o.queryAt ? { MPESA_QUERY_AT: o.queryAt } : {}),
      ...(o.expireAfter ? { MPESA_EXPIRE_AFTER: o.expireAfter } : {}),
    };
    const roles: { role: Role; proc: Proc }[] = [];
    for (let k = 1; k <= o.nodes; k++) {
      const port = servePorts[k - 1]!;
      roles.push({
        role: 'serve',
        proc: new Proc(
          {
            name: `serve-${k}`,
            args: ['serve'],
            env: { ...env, PORT: String(port) },
            ready: started,
            probe: async () =>
              (await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => null))?.status === 200,
          },
          logDir,
        ),
      });
      roles.push({
        role: 'worker',
        proc: new Proc({ name: `worker-${k}`, args: ['worker'], env, ready: started }, logDir),
      });
      const { auth, acct } = radiusPorts[k - 1]!;
      roles.push({
        role: 'radius',
        proc: new Proc(
          {
            name: `radius-${k}`,
            args: ['radius'],
            env: { ...env, RADIUS_AUTH_PORT: String(auth), RADIUS_ACCT_PORT: String(acct) },
            ready: started,
          },
          logDir,
        ),
      });
    }
    procs.push(...sims, ...roles.map((r) => r.proc));
    // Everything starts at once (start-up is mostly CPU; each process migrates under one lock).
    await Promise.all([
      ...procs.map((p) => p.start()),
      runWavu(
        [
          ...['routers', 'add', 'chaos-api', '--mode', 'api', '--host', '127.0.0.1'],
          ...['--port', String(apiPort), '--username', 'wavu', '--password', routerPassword],
        ],
        env,
      ),
      runWavu(
        [
          ...['routers', 'add', 'chaos-radius', '--mode', 'radius', '--address', '127.0.0.1'],
          ...['--secret', radiusSecret, '--nas-identifier', 'chaos-radius'],
        ],
        env,
      ),
    ]);
    if (o.c2bEcho) {
      // The operator's one-time C2B registration, done before any Wavu node asks for a token
      // (each new token revokes the app's previous one).
      const urls = (kind: string) => `${env.PUBLIC_URL}/callbacks/c2b/${kind}/${env.MPESA_CALLBACK_SECRET}`;
      const reg = await createDarajaClient({
        baseUrl: simUrl,
        ...DEMO_APP,
        shortcode: DEMO_MERCHANT.shortcode,
        passkey: DEMO_MERCHANT.passkey,
        type: 'paybill',
      }).registerC2bUrls({ confirmationUrl: urls('confirm'), validationUrl: urls('validate') });
      if (!reg.ok) throw new Error(`C2B registration failed: ${JSON.stringify(reg.error)}`);
    }
    const ids = await db.query<{ name: string; id: number }>('SELECT name, id FROM routers');
    const routerId = (name: string) => Number(ids.rows.find((r) => r.name === name)!.id);
    o.say(`started ${procs.map((p) => p.spec.name).join(', ')}; logs in ${logDir}`);

    watch = new RouterWatch(`http://127.0.0.1:${httpPort}/rest`, `wavu:${routerPassword}`);
    watch.start();
    const shop: Shop = {
      apiUrl: `http://127.0.0.1:${balancer.port}`,
      simUrl,
      routerIds: { api: routerId('chaos-api'), radius: routerId('chaos-radius') },
      nas: { ports: radiusPorts.map((p) => p.auth), secret: radiusSecret, nasIdentifier: 'chaos-radius' },
      radiusOnline: new Map(),
      stopped: () => stopped,
    };
    const radiusSeen = new Map<string, number | null>();

    // Kills: at customers drawn at random (so they spread over the load), each after a random
    // extra moment; roles taken in shuffled rounds so each is killed about as often.
    const customers = drawCustomers(o.n, o.seed + 1, o.thinkMs);
    const at = Array.from({ length: o.kills }, () => Math.floor(rnd() * o.n)).sort((a, b) => a - b);
    const order: Role[] = [];
    while (order.length < o.kills) {
      const round: Role[] = ['serve', 'worker', 'radius'];
      for (let i = round.length - 1; i > 0; i--) {
        const j = Math.floor(rnd() * (i + 1));
        [round[i], round[j]] = [round[j]!, round[i]!];
      }
      order.push(...round);
    }
    let begun = 0;
    const kills: Record<Role, number> = { serve: 0, worker: 0, radius: 0 };
    const t0 = Date.now();
    // A killed process is started again after a moment, as a supervisor would, while the next
    // kill goes ahead on schedule. With two nodes one of each role stays up (a process dies, its
    // twin carries on); with one node every kill is an outage of that role.
    const restarts: Promise<void>[] = [];
    const killer = (async () => {
      for (let k = 0; k < o.kills; k++) {
        while (begun < at[k]!) await sleep(20);
        await sleep(Math.floor(rnd() * 1_000));
        const role = order[k]!;
        const pick = roles.filter((r) => r.role === role);
        const n = Math.floor(rnd() * pick.length);
        const delay = 200 + Math.floor(rnd() * 1_500);
        // The one drawn, or the next of its role that is up; wait while that would leave none.
        const upNow = () => {
          const up = pick.filter((r) => r.proc.up);
          if (!up.length || (pick.length > 1 && up.length < 2)) return undefined;
          return [...pick.slice(n), ...pick.slice(0, n)].find((r) => r.proc.up)?.proc;
        };
        while (!upNow()) await sleep(50);
        const victim = upNow()!;
        await victim.kill9();
        kills[role]++;
        o.say(`kill -9 ${victim.spec.name} (${k + 1}/${o.kills}) at customer ${begun}`);
        restarts.push(sleep(delay).then(() => victim.start()));
      }
      await Promise.all(restarts);
    })();

    const outcomes: CustomerOutcome[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: o.concurrency }, async () => {
        while (next < customers.length) {
          const c = customers[next++]!;
          begun++;
          outcomes.push(await visit(shop, c));
          if (outcomes.length % 100 === 0) o.say(`${outcomes.length}/${o.n} customers served`);
        }
      }),
    );
    await killer;
    const loadMs = Date.now() - t0;
    o.say(`load over after ${(loadMs / 1000).toFixed(1)} s; waiting for reconciliation`);

    for (const [mac, p] of shop.radiusOnline) void p.then((t) => radiusSeen.set(mac, t));
    const t1 = Date.now();
    const workers = () =>
      roles.filter((r) => r.role === 'worker' && r.proc.up).map((r) => r.proc.child!.pid!);
    const look = () => judge({ db, simUrl, routerSeen: watch!.firstSeen, radiusSeen, workerPids: workers() });
    const calm = (v: Verdict) =>
      v.simPending === 0 &&
      v.stuck.length === 0 &&
      v.lost.length === 0 &&
      (!o.online || v.notOnline.length === 0) &&
      (!o.leases || v.orphanedJobs === 0);
    let verdict = await look();
    let lastSay = 0;
    while (!calm(verdict) && Date.now() - t1 < o.settleMs) {
      if (Date.now() - lastSay > 15_000) {
        lastSay = Date.now();
        o.say(
          `waiting: ${verdict.simPending} prompts open, ${verdict.stuck.length} pending, ${verdict.lost.length} paid not credited, ${verdict.notOnline.length} not online, ${verdict.orphanedJobs} jobs held by killed workers`,
        );
      }
      await sleep(1_000);
      verdict = await look();
    }
    const settled = calm(verdict);
    const settleMs = Date.now() - t1;
    stopped = true;
    await Promise.all(shop.radiusOnline.values());
    return { verdict, outcomes, kills, loadMs, settleMs, settled, logDir };
  } finally {
    stopped = true;
    await watch?.stop();
    await Promise.all(procs.map((p) => p.stop()));
    await balancer?.close();
    await db.end();
    const c = new pg.Client({ connectionString: o.adminUrl });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await c.end();
  }
}

/** Remove a run's logs (when it passed and nobody needs them). */
export const removeLogs = (dir: string) => rmSync(dir, { recursive: true, force: true });
