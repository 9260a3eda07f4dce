/**
 * A WireGuard tunnel between this process and a "router" in a network namespace of its own, built
 * from userspace wireguard-go (the kernel here has no WireGuard module) and configured only from
 * what Wavu prints: the server's wg-quick file and the router's RouterOS script.
 *
 *   this namespace                                   router namespace (wavu-wg-XXXXXX)
 *   wgsXXXXXX  10.249.N.1/24 ── UDP over veth ──▶   wgrXXXXXX  10.249.N.2/24 (from the script)
 *   wgvXXXXXXa 10.248.N.1/30                         wgvXXXXXXb 10.248.N.2/30
 *                                                    RouterOS simulator on the tunnel address only
 *
 * Names carry a random suffix and N is a /24 nothing here uses yet, so parallel runs do not clash.
 * Everything is removed by close(), which also runs when the process exits.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const WG_GO = '/usr/bin/wireguard-go';
const WG = '/usr/bin/wg';

/** Why the lab cannot run here, or null when it can. */
export function wireguardLabMissing(): string | null {
  if (!existsSync(WG_GO) || !existsSync(WG))
    return 'wireguard-go and wg are not installed (apt-get install wireguard-go wireguard-tools)';
  if (process.getuid?.() !== 0) return 'needs root, to create network namespaces and tun devices';
  if (!existsSync('/dev/net/tun')) return '/dev/net/tun is missing';
  return null;
}

export interface RouterEnd {
  /** The router's tunnel address, taken from the script. */
  address: string;
  /** The API user and password the script creates. */
  user: string;
  password: string;
}

export interface SimRouter {
  host: string;
  apiPort: number;
  httpPort: number;
}

export interface WireguardLab {
  /** WIREGUARD_SUBNET for this run. */
  subnet: string;
  /** WIREGUARD_ENDPOINT for this run: the server's veth address and its ephemeral UDP port. */
  endpoint: string;
  listenPort: number;
  /** The router's address on the veth: reachable without the tunnel (for a direct router). */
  routerUnderlay: string;
  /** Give the server end Wavu's wg-quick file (wg setconf; the Address line set with ip). */
  applyServerConfig(wgQuick: string): void;
  /** Bring up the router end of the tunnel from Wavu's RouterOS script. */
  startRouterEnd(rsc: string): Promise<RouterEnd>;
  /** A RouterOS simulator in the router namespace listening only on `host`. */
  startSim(o: { host: string; user: string; password: string }): Promise<SimRouter>;
  /** Latest handshake the server end has seen from any peer (seconds since epoch; 0 = none). */
  lastHandshake(): number;
  /** What this lab created, to check that close() removed it. */
  names: { ns: string; interfaces: string[] };
  close(): void;
}

const run = (cmd: string, args: string[]) =>
  execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });

/** A /24 of 10.249.0.0/16 whose number is also free in 10.248.0.0/16 here. */
function freeNet(): number {
  const used = run('ip', ['-4', '-o', 'addr']) + run('ip', ['-4', 'route']);
  for (let i = 0; i < 50; i++) {
    const n = 16 + (randomBytes(1)[0]! % 224);
    if (!used.includes(`10.249.${n}.`) && !used.includes(`10.248.${n}.`)) return n;
  }
  throw new Error('no free 10.249.N.0/24 for the WireGuard lab');
}

async function waitFor(what: string, cond: () => boolean, ms = 5_000): Promise<void> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`WireGuard lab: ${what} did not come up within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** `key="value"` or `key=value` from one line of a RouterOS script. */
function rscValue(line: string, key: string): string | undefined {
  const m = new RegExp(`(?:^|\\s)${key}=(?:"((?:[^"\\\\]|\\\\.)*)"|(\\S+))`).exec(line);
  if (!m) return undefined;
  return m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2];
}

function rscLine(rsc: string, start: string): string {
  const line = rsc.split('\n').find((l) => l.trim().startsWith(start));
  if (!line) throw new Error(`the router script has no line starting "${start}"`);
  return line.trim();
}

/** Removes a lab's namespace, links and files (each step may find its part already gone). */
function teardown(l: { ns: string; links: string[]; socks: string[]; dir: string }): void {
  for (const args of [...l.links.map((i) => ['link', 'del', i]), ['netns', 'del', l.ns]]) {
    try {
      run('ip', args);
    } catch {
      // already gone
    }
  }
  for (const f of l.socks) rmSync(`/var/run/wireguard/${f}.sock`, { force: true });
  rmSync(l.dir, { recursive: true, force: true });
}

/**
 * A run killed outright (SIGKILL, a crashed worker) cannot clean up after itself: the next lab
 * removes what such runs left, found by the owner file in their folder whose process is gone.
 */
function sweepAbandoned(): void {
  for (const name of readdirSync(tmpdir()).filter((n) => n.startsWith('wavu-wg-'))) {
    const dir = join(tmpdir(), name);
    try {
      const owner = JSON.parse(readFileSync(join(dir, 'owner.json'), 'utf8'));
      if (isAlive(owner.pid)) continue;
      for (const pid of owner.pids ?? []) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
      teardown({ ...owner, dir });
    } catch {
      // not a lab folder, or one still being written
    }
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function startWireguardLab(): Promise<WireguardLab> {
  sweepAbandoned();
  const id = randomBytes(3).toString('hex');
  const n = freeNet();
  const ns = `wavu-wg-${id}`;
  const srvIf = `wgs${id}`;
  const rtrIf = `wgr${id}`;
  const veth = `wgv${id}`;
  const dir = mkdtempSync(join(tmpdir(), 'wavu-wg-'));
  const procs: ChildProcess[] = [];
  const parts = { ns, links: [srvIf, `${veth}a`], socks: [srvIf, rtrIf] };
  const writeOwner = () =>
    writeFileSync(
      join(dir, 'owner.json'),
      JSON.stringify({ pid: process.pid, pids: procs.map((p) => p.pid).filter(Boolean), ...parts }),
    );
  writeOwner();
  let closed = false;

  const close = () => {
    if (closed) return;
    closed = true;
    process.off('exit', close);
    for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
    teardown({ ...parts, dir });
  };
  process.once('exit', close);

  const wireguardGo = async (iface: string, inNs: boolean) => {
    const p = inNs
      ? spawn('ip', ['netns', 'exec', ns, WG_GO, '-f', iface], { stdio: 'ignore' })
      : spawn(WG_GO, ['-f', iface], { stdio: 'ignore' });
    procs.push(p);
    writeOwner();
    await waitFor(`wireguard-go ${iface}`, () => existsSync(`/var/run/wireguard/${iface}.sock`));
  };
  const secretFile = (name: string, text: string) => {
    const f = join(dir, name);
    writeFileSync(f, text, { mode: 0o600 });
    return f;
  };

  try {
    run('ip', ['netns', 'add', ns]);
    run('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    run('ip', ['link', 'add', `${veth}a`, 'type', 'veth', 'peer', 'name', `${veth}b`]);
    run('ip', ['link', 'set', `${veth}b`, 'netns', ns]);
    run('ip', ['addr', 'add', `10.248.${n}.1/30`, 'dev', `${veth}a`]);
    run('ip', ['link', 'set', `${veth}a`, 'up']);
    run('ip', ['-n', ns, 'addr', 'add', `10.248.${n}.2/30`, 'dev', `${veth}b`]);
    run('ip', ['-n', ns, 'link', 'set', `${veth}b`, 'up']);

    // The server end first, on an ephemeral UDP port, so Wavu can be told where it listens.
    await wireguardGo(srvIf, false);
    const tmpKey = secretFile('boot.key', run(WG, ['genkey']));
    run(WG, ['set', srvIf, 'listen-port', '0', 'private-key', tmpKey]);
    const listenPort = Number(run(WG, ['show', srvIf, 'listen-port']).trim());
    if (!listenPort) throw new Error('wireguard-go did not report its listen port');
    run('ip', ['link', 'set', srvIf, 'up']);

    return {
      subnet: `10.249.${n}.0/24`,
      endpoint: `10.248.${n}.1:${listenPort}`,
      listenPort,
      routerUnderlay: `10.248.${n}.2`,
      applyServerConfig(wgQuick) {
        // What `wg-quick strip` does: wg knows no Address; ip sets it.
        const addresses = [...wgQuick.matchAll(/^Address\s*=\s*(\S+)/gm)].map((m) => m[1]!);
        const conf = wgQuick.replace(/^Address\s*=.*$/gm, '');
        run(WG, ['setconf', srvIf, secretFile('server.conf', conf)]);
        for (const a of addresses) run('ip', ['addr', 'replace', a, 'dev', srvIf]);
      },
      async startRouterEnd(rsc) {
        // Each value RouterOS would take from the script, handed to wg and ip instead.
        const iface = rscLine(rsc, '/interface wireguard add');
        const peer = rscLine(rsc, '/interface wireguard peers add');
        const addr = rscLine(rsc, '/ip address add');
        const user = rscLine(rsc, '/user add');
        const keepalive = rscValue(peer, 'persistent-keepalive') ?? '';
        if (!/^\d+s$/.test(keepalive)) throw new Error(`persistent-keepalive "${keepalive}" is not Ns`);
        await wireguardGo(rtrIf, true);
        run('ip', [
          'netns',
          'exec',
          ns,
          WG,
          'set',
          rtrIf,
          'private-key',
          secretFile('router.key', rscValue(iface, 'private-key')!),
          'peer',
          rscValue(peer, 'public-key')!,
          'endpoint',
          `${rscValue(peer, 'endpoint-address')}:${rscValue(peer, 'endpoint-port')}`,
          'allowed-ips',
          rscValue(peer, 'allowed-address')!,
          'persistent-keepalive',
          keepalive.replace(/s$/, ''),
        ]);
        const address = rscValue(addr, 'address')!;
        run('ip', ['-n', ns, 'addr', 'add', address, 'dev', rtrIf]);
        run('ip', ['-n', ns, 'link', 'set', rtrIf, 'up']);
        return {
          address: address.split('/')[0]!,
          user: rscValue(user, 'name')!,
          password: rscValue(user, 'password')!,
        };
      },
      async startSim(o) {
        const p = spawn(
          'ip',
          [
            'netns',
            'exec',
            ns,
            process.execPath,
            resolve('bin/wavu.js'),
            'sim',
            'routeros',
            '--host',
            o.host,
            '--port',
            '0',
            '--http-port',
            '0',
            // Generated secrets may begin with "-": as --opt=value they are never taken for an option.
            `--user=${o.user}`,
            `--password=${o.password}`,
          ],
          { stdio: ['ignore', 'pipe', 'pipe'] },
        );
        procs.push(p);
        writeOwner();
        let outText = '';
        p.stdout!.on('data', (d) => {
          outText += String(d);
        });
        p.stderr!.on('data', (d) => {
          outText += String(d);
        });
        await waitFor(
          `the simulator on ${o.host}`,
          () => outText.includes('Press Ctrl+C') || p.exitCode !== null,
          30_000,
        );
        const api = /API\s+\S+:(\d+)/.exec(outText);
        const http = /REST\s+http:\/\/\S+:(\d+)\/rest/.exec(outText);
        if (!api || !http) throw new Error(`the simulator did not start:\n${outText}`);
        return { host: o.host, apiPort: Number(api[1]), httpPort: Number(http[1]) };
      },
      lastHandshake() {
        const out = run(WG, ['show', srvIf, 'latest-handshakes']).trim();
        return Math.max(0, ...out.split('\n').map((l) => Number(l.split('\t')[1] ?? 0)));
      },
      names: { ns, interfaces: [srvIf, rtrIf, `${veth}a`, `${veth}b`] },
      close,
    };
  } catch (e) {
    close();
    throw e;
  }
}
