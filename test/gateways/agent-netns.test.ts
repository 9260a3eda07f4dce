/**
 * An agent router behind NAT, for real: the simulator runs as its own process in a network
 * namespace with a private address, behind a second namespace that masquerades it (as a CGNAT
 * or a 4G router would). Wavu has no route to it and it listens on nothing; it still gets a
 * grant, a login, a revoke and an expiry, all by polling out.
 *
 *   Wavu (host, 10.R.0.1) ── veth ── nat ns (10.R.0.2, masquerade) ── veth ── router ns (10.R.1.2)
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { SYSTEM } from '../../src/audit/index.ts';
import { mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueForPurchase } from '../../src/access/issue-for-purchase.ts';
import { revokeCode } from '../../src/access/revoke.ts';
import { type App, createApp } from '../../src/app/run.ts';
import { agentInstallScript } from '../../src/gateways/agent/script.ts';
import { gatewayJobs } from '../../src/gateways/jobs.ts';
import { gatewaysModule } from '../../src/gateways/module.ts';
import { addRouter } from '../../src/gateways/index.ts';
import { Worker } from '../../src/jobs/worker.ts';
import { ManualClock } from '../../src/lib/clock.ts';
import { silentLog, testConfig } from '../helpers/app.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { accessExpireJob } from './helpers.ts';

const sh = (cmd: string, args: string[]) =>
  execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
const can = (() => {
  if (process.getuid?.() !== 0) return 'needs root for network namespaces';
  try {
    sh('ip', ['netns', 'list']);
    sh('nft', ['--version']);
    return null;
  } catch {
    return 'needs iproute2 (ip netns) and nftables (nft)';
  }
})();

const id = Math.floor(Math.random() * 200) + 20;
const suffix = randomUUID().slice(0, 6);
const NAT = `wv-nat-${suffix}`;
const RTR = `wv-rtr-${suffix}`;
const HOST_IP = `10.${id}.0.1`;
const NAT_IP = `10.${id}.0.2`;
const LAN = `10.${id}.1`;
const ROUTER_IP = `${LAN}.2`;

function up(): void {
  const hv = `wvh${suffix}`;
  const nv = `wvn${suffix}`;
  const na = `wva${suffix}`;
  const rv = `wvr${suffix}`;
  sh('ip', ['netns', 'add', NAT]);
  sh('ip', ['netns', 'add', RTR]);
  sh('ip', ['link', 'add', hv, 'type', 'veth', 'peer', 'name', nv]);
  sh('ip', ['link', 'set', nv, 'netns', NAT]);
  sh('ip', ['addr', 'add', `${HOST_IP}/30`, 'dev', hv]);
  sh('ip', ['link', 'set', hv, 'up']);
  const inNat = (...a: string[]) => sh('ip', ['netns', 'exec', NAT, ...a]);
  const inRtr = (...a: string[]) => sh('ip', ['netns', 'exec', RTR, ...a]);
  inNat('ip', 'addr', 'add', `${NAT_IP}/30`, 'dev', nv);
  inNat('ip', 'link', 'set', nv, 'up');
  inNat('ip', 'link', 'set', 'lo', 'up');
  inNat('ip', 'link', 'add', na, 'type', 'veth', 'peer', 'name', rv);
  inNat('ip', 'link', 'set', rv, 'netns', RTR);
  inNat('ip', 'addr', 'add', `${LAN}.1/24`, 'dev', na);
  inNat('ip', 'link', 'set', na, 'up');
  inNat('sysctl', '-qw', 'net.ipv4.ip_forward=1');
  inNat('ip', 'route', 'add', 'default', 'via', HOST_IP);
  // The carrier's NAT: everything from the router leaves with the NAT's address; nothing new comes in.
  inNat('nft', 'add table ip nat');
  inNat('nft', 'add chain ip nat post { type nat hook postrouting priority 100 ; }');
  inNat('nft', `add rule ip nat post oifname "${nv}" ip saddr ${LAN}.0/24 counter masquerade`);
  inNat('nft', 'add table ip filter');
  inNat('nft', 'add chain ip filter inbound { type filter hook forward priority 0 ; policy accept ; }');
  inNat('nft', `add rule ip filter inbound iifname "${nv}" ct state new counter drop`);
  inRtr('ip', 'addr', 'add', `${ROUTER_IP}/24`, 'dev', rv);
  inRtr('ip', 'link', 'set', rv, 'up');
  inRtr('ip', 'link', 'set', 'lo', 'up');
  inRtr('ip', 'route', 'add', 'default', 'via', `${LAN}.1`);
  // As if the carrier routed the LAN to us: the NAT still lets no new connection in.
  sh('ip', ['route', 'add', `${LAN}.0/24`, 'via', NAT_IP]);
}

function down(): void {
  for (const ns of [RTR, NAT]) {
    try {
      sh('ip', ['netns', 'del', ns]);
    } catch {}
  }
  try {
    sh('ip', ['link', 'del', `wvh${suffix}`]); // takes its routes with it
  } catch {}
}

let t: TestDatabase;
let app: App;
let worker: Worker;
let proc: ChildProcess;
let lines: Interface;
const clock = new ManualClock('2026-03-02T08:00:00Z');
const waiting: ((l: string) => void)[] = [];
const said: string[] = [];

async function control(cmd: string): Promise<string> {
  const answer = new Promise<string>((resolve) => waiting.push(resolve));
  proc.stdin!.write(`${cmd}\n`);
  return answer;
}

describe.skipIf(can !== null)(`agent router behind NAT (${can ?? 'network namespaces'})`, () => {
  let routerId: number;
  beforeAll(async () => {
    up();
    t = await createTestDatabase();
    app = await createApp({
      config: testConfig({ HOST: HOST_IP, PUBLIC_URL: `http://${HOST_IP}` }),
      roles: ['serve'],
      log: silentLog(),
      database: t.database,
      clock,
      modules: [gatewaysModule],
    });
    worker = new Worker({
      database: t.database,
      clock,
      log: silentLog(),
      definitions: [...gatewayJobs(app.deps), accessExpireJob(app)],
      concurrency: 2,
    });
    const { router, generated } = await addRouter(
      app.deps,
      {
        mode: 'api',
        name: 'behind-nat',
        transport: 'agent',
      },
      { actor: SYSTEM },
    );
    routerId = router.id;
    const dir = mkdtempSync(join(tmpdir(), 'wavu-netns-'));
    const script = join(dir, 'agent.rsc');
    writeFileSync(
      script,
      agentInstallScript({
        routerName: router.name,
        pollUrl: `${app.url}/agent/v1/poll`,
        token: generated.agentToken!,
        routeros: 6,
      }),
    );
    proc = spawn(
      'ip',
      [
        'netns',
        'exec',
        RTR,
        process.execPath,
        'bin/wavu.js',
        'sim',
        'routeros',
        '--version',
        '6.49.10',
        '--agent-script',
        script,
        '--state',
        join(dir, 'flash.json'),
        '--poll-every-ms',
        '3600000',
      ],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    );
    lines = createInterface({ input: proc.stdout! });
    lines.on('line', (l) => {
      said.push(l);
      if (!l.startsWith('READY')) waiting.shift()?.(l);
    });
    await new Promise<void>((resolve, reject) => {
      proc.once('exit', (c) => reject(new Error(`simulator exited with ${c}`)));
      const check = setInterval(() => {
        if (said.some((l) => l.startsWith('READY'))) {
          clearInterval(check);
          resolve();
        }
      }, 50);
    });
  }, 180_000);

  afterAll(async () => {
    proc?.kill('SIGTERM');
    await app?.stop();
    await t?.drop();
    down();
  });

  it('cannot be dialled, listens on nothing, and still gets a grant, a login, a revoke and an expiry', async () => {
    // Wavu has no way in: even with a route to the router's LAN, the NAT drops new inbound connections.
    const dial = await new Promise<string>((resolve) => {
      const s = net.connect({ host: ROUTER_IP, port: 8728, timeout: 1500 });
      s.once('connect', () => resolve('connected'));
      s.once('timeout', () => {
        s.destroy();
        resolve('timeout');
      });
      s.once('error', (e) => resolve((e as NodeJS.ErrnoException).code ?? 'error'));
    });
    expect(dial).toBe('timeout');
    expect(sh('ip', ['netns', 'exec', RTR, 'ss', '-Hltn']).trim()).toBe('');

    const issue = (mac: string) =>
      app.deps.db.transaction((tx) =>
        issueForPurchase(tx, app.deps, {
          purchaseId: randomUUID(),
          planId: 1,
          phone: null,
          mac,
          routerId,
          purpose: 'access',
        }),
      );
    const a = await issue('A4:00:00:00:00:01');
    const b = await issue('A4:00:00:00:00:02');
    expect(await control('poll')).toBe('OK poll');
    const users = JSON.parse(await control('users')) as { name: string }[];
    expect(users.map((u) => u.name).sort()).toEqual([a.code, b.code].sort());
    expect(await control(`login ${a.code} ${a.code} A4:00:00:00:00:01 10.5.50.7`)).toBe('OK login');
    expect(await control(`login ${b.code} ${b.code} A4:00:00:00:00:02 10.5.50.8`)).toBe('OK login');
    expect(await control('traffic A4:00:00:00:00:01 500 9000')).toBe('OK traffic');
    expect(await control('poll')).toBe('OK poll');
    const { routerById } = await import('../../src/gateways/routers/repo.ts');
    const { adapterFor } = await import('../../src/gateways/modes.ts');
    const seen = await adapterFor(app.deps, (await routerById(app.deps.db, routerId))!).listActive();
    expect(seen.map((s) => s.username).sort()).toEqual([a.code, b.code].sort());
    expect(seen.find((s) => s.username === a.code)).toMatchObject({ bytesIn: 500, bytesOut: 9000 });

    // Staff revoke a; b runs out of time.
    await revokeCode(app.deps, { accessCodeId: a.accessCodeId, actor: SYSTEM });
    clock.advance(3601_000);
    await worker.drain();
    expect(await control('poll')).toBe('OK poll');
    expect(JSON.parse(await control('users'))).toEqual([]);
    expect(JSON.parse(await control('active'))).toEqual([]);
    expect(JSON.parse(await control('refused'))).toEqual([]);

    // It came through the NAT (Wavu saw the NAT's address), and no connection ever came in.
    const rules = sh('ip', ['netns', 'exec', NAT, 'nft', 'list', 'ruleset']);
    expect(/counter packets (\d+) bytes \d+ masquerade/.exec(rules)?.[1]).not.toBe('0');
  }, 120_000);
});
