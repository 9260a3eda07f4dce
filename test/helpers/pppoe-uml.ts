/**
 * Real PPPoE for the tests: Debian's `pppoe-server` (rp-pppoe) with pppd's radius plugin as the
 * NAS, and a pppd PPPoE client dialling in, both inside a User-Mode-Linux guest:
 *
 *   host: tap (H.1) ── Wavu's RADIUS, bound to H.1, in the test process
 *     │
 *   UML guest (vec0 H.2): pppoe-server + pppd radius.so ══veth══ netns cli: pppd rp-pppoe.so
 *
 * Why a guest: the host kernel here has no PPP (no /dev/ppp, no modules); Debian's
 * `user-mode-linux` kernel has it as modules, and boots in seconds with the host's / as its
 * read-only root (hostfs). The guest script is test/helpers/pppoe-uml/guest-init.sh, driven over
 * the guest's console one command at a time; every answer is awaited as an event, with generous
 * limits, never a fixed sleep.
 *
 * What pppd needs that Debian's `ppp` does not ship: a radiusclient dictionary (written here,
 * with the Microsoft and MikroTik vendors so radattr.so can show Mikrotik-Rate-Limit), and a host
 * name that resolves (radius.so takes NAS-IP-Address from it). pppd sends no
 * Message-Authenticator, so the router row must allow that.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const GUEST_INIT = join(here, 'pppoe-uml', 'guest-init.sh');

const sh = (cmd: string, args: string[]) =>
  execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] }).toString();

function umlModules(): string | null {
  const base = '/usr/lib/uml/modules';
  try {
    const versions = sh('ls', [base]).split(/\s+/).filter(Boolean);
    const v = versions.find((x) => existsSync(join(base, x, 'kernel/drivers/net/ppp/pppoe.ko')));
    return v ? join(base, v) : null;
  } catch {
    return null;
  }
}

function pppdPlugin(name: string): string | null {
  try {
    const out = sh('sh', ['-c', `ls /usr/lib/pppd/*/${name} 2>/dev/null | head -n1`]).trim();
    return out || null;
  } catch {
    return null;
  }
}

/** Why real PPPoE cannot run here, or null when it can. */
export function pppoeUmlUnavailable(): string | null {
  if (process.getuid?.() !== 0) return 'needs root (a tap device for the guest)';
  const need: [string, string][] = [
    ['linux.uml', 'user-mode-linux'],
    ['pppoe-server', 'pppoe'],
    ['pppd', 'ppp'],
    ['ip', 'iproute2'],
    ['ping', 'iputils-ping'],
  ];
  for (const [bin, pkg] of need) {
    try {
      sh('sh', ['-c', `command -v ${bin}`]);
    } catch {
      return `needs ${bin} (Debian package ${pkg})`;
    }
  }
  if (!umlModules()) return 'needs the PPPoE modules of the UML kernel (Debian package user-mode-linux)';
  if (!pppdPlugin('radius.so') || !pppdPlugin('radattr.so') || !pppdPlugin('rp-pppoe.so'))
    return "needs pppd's radius, radattr and rp-pppoe plugins (Debian package ppp)";
  if (!existsSync('/dev/net/tun')) return 'needs /dev/net/tun for the guest network';
  return null;
}

export type PppAuth = 'pap' | 'chap' | 'mschap-v2';

export interface DialResult {
  ok: boolean;
  /** The client's address and the NAS's, when the session came up. */
  local?: string;
  peer?: string;
  /** What pppd's radius plugin took from the Access-Accept (radattr.so), by attribute name. */
  attributes: Record<string, string[]>;
}

export interface PppoeUml {
  /** Where the guest reaches the host: bind Wavu's RADIUS here. */
  hostAddress: string;
  /** The guest's address, the source of its RADIUS packets: the router's NAS address. */
  nasAddress: string;
  /** Boot the guest with pppd pointed at these RADIUS ports; resolves once it is ready. */
  boot(o: { authPort: number; acctPort: number; secret: string }): Promise<void>;
  /** Dial in through PPPoE as `user`, the NAS asking for `auth`. */
  dial(o: { auth: PppAuth; user: string; password: string }): Promise<DialResult>;
  /** Pings over the session (so accounting has octets); throws when they go unanswered. */
  traffic(): Promise<void>;
  /** The client hangs up; resolves once the NAS's pppd (and its Accounting-Stop) is done. */
  hangup(): Promise<void>;
  /** Console, NAS pppd and client pppd logs, for a failure message. */
  logs(): string;
  close(): Promise<void>;
}

/** A dictionary for pppd's radiusclient: the attributes it sends or we check, by RFC number. */
const DICTIONARY = `# radiusclient dictionary for the PPPoE tests (RFC 2865, 2866, 2869; Microsoft; MikroTik)
ATTRIBUTE User-Name 1 string
ATTRIBUTE User-Password 2 string
ATTRIBUTE CHAP-Password 3 string
ATTRIBUTE NAS-IP-Address 4 ipaddr
ATTRIBUTE NAS-Port 5 integer
ATTRIBUTE Service-Type 6 integer
ATTRIBUTE Framed-Protocol 7 integer
ATTRIBUTE Framed-IP-Address 8 ipaddr
ATTRIBUTE Framed-IP-Netmask 9 ipaddr
ATTRIBUTE Framed-Routing 10 integer
ATTRIBUTE Filter-Id 11 string
ATTRIBUTE Framed-MTU 12 integer
ATTRIBUTE Framed-Compression 13 integer
ATTRIBUTE Reply-Message 18 string
ATTRIBUTE Framed-Route 22 string
ATTRIBUTE State 24 string
ATTRIBUTE Class 25 string
ATTRIBUTE Session-Timeout 27 integer
ATTRIBUTE Idle-Timeout 28 integer
ATTRIBUTE Termination-Action 29 integer
ATTRIBUTE Called-Station-Id 30 string
ATTRIBUTE Calling-Station-Id 31 string
ATTRIBUTE NAS-Identifier 32 string
ATTRIBUTE Acct-Status-Type 40 integer
ATTRIBUTE Acct-Delay-Time 41 integer
ATTRIBUTE Acct-Input-Octets 42 integer
ATTRIBUTE Acct-Output-Octets 43 integer
ATTRIBUTE Acct-Session-Id 44 string
ATTRIBUTE Acct-Authentic 45 integer
ATTRIBUTE Acct-Session-Time 46 integer
ATTRIBUTE Acct-Input-Packets 47 integer
ATTRIBUTE Acct-Output-Packets 48 integer
ATTRIBUTE Acct-Terminate-Cause 49 integer
ATTRIBUTE Acct-Multi-Session-Id 50 string
ATTRIBUTE Acct-Link-Count 51 integer
ATTRIBUTE Acct-Input-Gigawords 52 integer
ATTRIBUTE Acct-Output-Gigawords 53 integer
ATTRIBUTE CHAP-Challenge 60 string
ATTRIBUTE NAS-Port-Type 61 integer
ATTRIBUTE Port-Limit 62 integer
ATTRIBUTE Connect-Info 77 string
ATTRIBUTE Message-Authenticator 80 string
ATTRIBUTE Acct-Interim-Interval 85 integer
ATTRIBUTE NAS-Port-Id 87 string
ATTRIBUTE Framed-Pool 88 string
VALUE Service-Type Framed-User 2
VALUE Framed-Protocol PPP 1
VALUE Acct-Status-Type Start 1
VALUE Acct-Status-Type Stop 2
VALUE Acct-Status-Type Interim-Update 3
VALUE Acct-Authentic RADIUS 1
VALUE NAS-Port-Type Virtual 5
VALUE NAS-Port-Type Ethernet 15
VALUE Acct-Terminate-Cause User-Request 1
VALUE Acct-Terminate-Cause Lost-Carrier 2
VALUE Acct-Terminate-Cause Idle-Timeout 4
VALUE Acct-Terminate-Cause Session-Timeout 5
VALUE Acct-Terminate-Cause Admin-Reset 6
VALUE Acct-Terminate-Cause NAS-Request 10
VENDOR Microsoft 311
ATTRIBUTE MS-CHAP-Response 1 string Microsoft
ATTRIBUTE MS-CHAP-Error 2 string Microsoft
ATTRIBUTE MS-MPPE-Encryption-Policy 7 string Microsoft
ATTRIBUTE MS-MPPE-Encryption-Types 8 string Microsoft
ATTRIBUTE MS-CHAP-Domain 10 string Microsoft
ATTRIBUTE MS-CHAP-Challenge 11 string Microsoft
ATTRIBUTE MS-CHAP-MPPE-Keys 12 string Microsoft
ATTRIBUTE MS-MPPE-Send-Key 16 string Microsoft
ATTRIBUTE MS-MPPE-Recv-Key 17 string Microsoft
ATTRIBUTE MS-CHAP2-Response 25 string Microsoft
ATTRIBUTE MS-CHAP2-Success 26 string Microsoft
ATTRIBUTE MS-Primary-DNS-Server 28 ipaddr Microsoft
ATTRIBUTE MS-Secondary-DNS-Server 29 ipaddr Microsoft
VENDOR Mikrotik 14988
ATTRIBUTE Mikrotik-Recv-Limit 1 integer Mikrotik
ATTRIBUTE Mikrotik-Xmit-Limit 2 integer Mikrotik
ATTRIBUTE Mikrotik-Group 3 string Mikrotik
ATTRIBUTE Mikrotik-Rate-Limit 8 string Mikrotik
ATTRIBUTE Mikrotik-Address-List 19 string Mikrotik
`;

/** A /24 for the tap that no route on this host already covers. */
function freeSubnet(): string {
  const routes = sh('ip', ['-4', 'route', 'show', 'table', 'all']);
  for (let i = 0; i < 50; i++) {
    const n = 100 + Math.floor(Math.random() * 150);
    const net = `192.168.${n}`;
    if (!routes.includes(`${net}.`)) return net;
  }
  throw new Error('no free 192.168.x.0/24 for the PPPoE guest');
}

interface Waiter {
  test: (line: string) => boolean;
  resolve: (line: string) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

export function createPppoeUml(): PppoeUml {
  const net = freeSubnet();
  const hostAddress = `${net}.1`;
  const nasAddress = `${net}.2`;
  const tap = `wpu${Math.random().toString(36).slice(2, 9)}`;
  const dir = mkdtempSync(join(tmpdir(), 'wavu-pppoe-'));
  sh('ip', ['tuntap', 'add', 'dev', tap, 'mode', 'tap']);
  sh('ip', ['addr', 'add', `${hostAddress}/24`, 'dev', tap]);
  sh('ip', ['link', 'set', tap, 'up']);

  let guest: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();
  let console_ = '';
  const waiters: Waiter[] = [];
  /** Commands go one at a time: each waits for the previous one's answer. */
  let queue: Promise<unknown> = Promise.resolve();

  const onLine = (line: string) => {
    console_ += `${line}\n`;
    if (console_.length > 2_000_000) console_ = console_.slice(-1_000_000);
    const i = line.indexOf('@@wavu ');
    if (i < 0) return;
    const msg = line.slice(i + 7).trim();
    const w = waiters.findIndex((x) => x.test(msg));
    if (w < 0) return;
    const [x] = waiters.splice(w, 1);
    clearTimeout(x!.timer);
    x!.resolve(msg);
  };

  const readLog = (name: string) => {
    try {
      return readFileSync(join(dir, name), 'utf8');
    } catch {
      return '';
    }
  };
  const logs = () =>
    [
      `--- guest console (last 6000 chars)\n${console_.slice(-6000)}`,
      `--- NAS pppd\n${readLog('server-pppd.log').slice(-6000)}`,
      `--- client pppd\n${readLog('client-pppd.log').slice(-4000)}`,
    ].join('\n');

  /** Wait for the guest's next answer line that passes `test`. */
  const expectLine = (what: string, test: (msg: string) => boolean, ms: number) =>
    new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        const i = waiters.findIndex((x) => x.timer === timer);
        if (i >= 0) waiters.splice(i, 1);
        reject(new Error(`PPPoE guest: no "${what}" within ${ms / 1000} s\n${logs()}`));
      }, ms);
      waiters.push({ test, resolve, reject, timer });
    });

  /** Send one command and collect the answer lines up to the one that passes `done`. */
  const command = (line: string, done: (msg: string) => boolean, ms: number): Promise<string[]> => {
    const step = queue.then(async () => {
      if (!guest || guest.exitCode !== null) throw new Error(`PPPoE guest is not running\n${logs()}`);
      const got: string[] = [];
      const final = expectLine(
        line,
        (m) => {
          if (done(m) || m.startsWith('error ')) return true;
          got.push(m);
          return false;
        },
        ms,
      );
      guest.stdin?.write(`${line}\n`);
      const last = await final;
      if (last.startsWith('error ')) throw new Error(`PPPoE guest: ${last}\n${logs()}`);
      got.push(last);
      return got;
    });
    queue = step.catch(() => undefined);
    return step;
  };

  return {
    hostAddress,
    nasAddress,
    async boot({ authPort, acctPort, secret }) {
      const conf = join(dir, 'radiusclient.conf');
      writeFileSync(join(dir, 'dictionary'), DICTIONARY);
      writeFileSync(join(dir, 'servers'), `${hostAddress}\t${secret}\n`, { mode: 0o600 });
      writeFileSync(join(dir, 'port-id-map'), '');
      writeFileSync(join(dir, 'issue'), '');
      // A slow host (a loaded machine, PGlite) must not look like a dead RADIUS server.
      writeFileSync(
        conf,
        [
          'auth_order radius',
          'login_tries 4',
          'login_timeout 60',
          'nologin /etc/nologin',
          `issue ${dir}/issue`,
          `authserver ${hostAddress}:${authPort}`,
          `acctserver ${hostAddress}:${acctPort}`,
          `servers ${dir}/servers`,
          `dictionary ${dir}/dictionary`,
          'login_radius /usr/sbin/login.radius',
          'seqfile /run/radius.seq',
          `mapfile ${dir}/port-id-map`,
          'default_realm',
          'radius_timeout 10',
          'radius_retries 3',
          'login_local /bin/login',
          '',
        ].join('\n'),
      );
      for (const auth of ['pap', 'chap', 'mschap-v2'] as const)
        writeFileSync(
          join(dir, `server-${auth}.options`),
          [
            `require-${auth}`,
            'plugin radius.so',
            'plugin radattr.so',
            `radius-config-file ${conf}`,
            'nodefaultroute',
            // Only what the test looks at: IPv4 (the guest kernel has no IPv6), no ip-up scripts
            // (every exec is slow in UML, and Debian's run the host's hooks).
            'noipv6',
            'ip-up-script /bin/true',
            'ip-down-script /bin/true',
            'lcp-echo-interval 5',
            'lcp-echo-failure 6',
            'debug',
            `logfile ${dir}/server-pppd.log`,
            '',
          ].join('\n'),
        );
      writeFileSync(join(dir, 'hosts'), `127.0.0.1 localhost\n${nasAddress} wavu-nas\n`);
      writeFileSync(join(dir, 'server-pppd.log'), '');

      const p = spawn(
        'linux.uml',
        [
          'mem=256M',
          'root=/dev/root',
          'rootfstype=hostfs',
          'rootflags=/',
          'ro',
          'quiet',
          `init=${GUEST_INIT}`,
          `vec0:transport=tap,ifname=${tap}`,
          'con0=fd:0,fd:1',
          'con=null',
          'ssl=null',
          `LAB=${dir}`,
          `GUEST_IP=${nasAddress}`,
        ],
        // Its own process group: UML runs a host process per guest process, all stopped together.
        { stdio: ['pipe', 'pipe', 'pipe'], detached: true, env: { ...process.env, TMPDIR: dir } },
      );
      guest = p;
      exited = new Promise((r) => p.once('exit', () => r()));
      createInterface({ input: p.stdout! }).on('line', onLine);
      createInterface({ input: p.stderr! }).on('line', onLine);
      p.once('exit', (code, signal) => {
        for (const w of waiters.splice(0)) {
          clearTimeout(w.timer);
          w.reject(new Error(`PPPoE guest exited (${code ?? signal})\n${logs()}`));
        }
      });
      // Booting takes seconds; on a loaded machine, many more.
      await expectLine('ready', (m) => m.startsWith('ready') || m.startsWith('error '), 180_000).then((m) => {
        if (m.startsWith('error ')) throw new Error(`PPPoE guest: ${m}\n${logs()}`);
      });
    },
    async dial({ auth, user, password }) {
      if (/\s/.test(user) || /\s/.test(password)) throw new Error('user and password must have no spaces');
      const lines = await command(
        `dial ${auth} ${user} ${password}`,
        (m) => m.startsWith('up ') || m === 'fail',
        240_000,
      );
      const attributes: Record<string, string[]> = {};
      for (const l of lines) {
        if (!l.startsWith('attr ')) continue;
        const [name, ...rest] = l.slice(5).split(' ');
        attributes[name!] = [...(attributes[name!] ?? []), rest.join(' ')];
      }
      const last = lines[lines.length - 1]!;
      if (last === 'fail') return { ok: false, attributes };
      const [, local, peer] = last.split(' ');
      return { ok: true, local, peer, attributes };
    },
    async traffic() {
      const lines = await command('traffic', (m) => m.startsWith('traffic '), 120_000);
      const last = lines[lines.length - 1]!;
      if (last !== 'traffic ok') throw new Error(`PPPoE guest: ${last}\n${logs()}`);
    },
    async hangup() {
      await command('hangup', (m) => m === 'down', 240_000);
    },
    logs,
    async close() {
      const p = guest;
      if (p && p.exitCode === null && p.signalCode === null) {
        const bye = expectLine('bye', (m) => m === 'bye', 60_000).catch(() => undefined);
        p.stdin?.write('poweroff\n');
        await bye;
        const done = await Promise.race([
          exited.then(() => true),
          new Promise<boolean>((r) => setTimeout(() => r(false), 30_000)),
        ]);
        if (!done && p.pid) {
          try {
            process.kill(-p.pid, 'SIGKILL');
          } catch {
            // already gone
          }
          await exited;
        }
      }
      try {
        sh('ip', ['link', 'del', tap]);
      } catch {
        // removed with the guest
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
