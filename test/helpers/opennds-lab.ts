/**
 * A real openNDS (Debian's `opennds` package) in network namespaces, for the openNDS tests:
 *
 *   client ns (10.R.0.2) ── lan0 ── gateway ns: openNDS (10.R.0.1 | wan0 10.R.1.1 | 10.R.2.2) ── internet ns (10.R.1.2)
 *                                          └── veth ── host (10.R.2.1): Wavu behind a TLS front (the FAS)
 *
 * What openNDS needs on plain Debian, all kept inside the lab (the host's /etc is never touched):
 *  - iptables-legacy: iptables-nft cannot add to the chains openNDS creates with nft, so a PATH
 *    shim makes `iptables` the legacy one, and an `nft` shim renders the legacy counter chains
 *    openNDS reads with `nft list chain ip filter …`;
 *  - a DHCP lease line (openNDS refuses clients it did not hand an address);
 *  - its scripts edit /etc and its config path is fixed: it runs in its own mount namespace
 *    with an overlay on /etc and its own /tmp;
 *  - ndsctl (and the deauth poller, which calls it) run in openNDS's namespaces (nsenter).
 * Every process is started here and stopped by its pid at the end.
 */
import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const sh = (cmd: string, args: string[]) =>
  execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] }).toString();

/** Why the lab cannot run here, or null when it can. */
export function openndsLabUnavailable(): string | null {
  if (process.getuid?.() !== 0) return 'needs root for network namespaces';
  const need: [string, string][] = [
    ['ip', 'iproute2'],
    ['opennds', 'opennds'],
    ['ndsctl', 'opennds'],
    ['iptables-legacy', 'iptables'],
    ['nft', 'nftables'],
    ['php', 'php-cli'],
    ['curl', 'curl'],
    ['openssl', 'openssl'],
    ['nsenter', 'util-linux'],
  ];
  for (const [bin, pkg] of need) {
    try {
      sh('sh', ['-c', `command -v ${bin}`]);
    } catch {
      return `needs ${bin} (Debian package ${pkg})`;
    }
  }
  try {
    sh('ip', ['netns', 'list']);
  } catch {
    return 'network namespaces are not available';
  }
  return null;
}

export interface LabAddresses {
  client: string;
  clientMac: string;
  gatewayLan: string;
  internet: string;
  /** The host end of the gateway's link to Wavu: where the FAS listens. */
  host: string;
}

export interface OpenNdsLab {
  addr: LabAddresses;
  dir: string;
  /** Run a command in the client's namespace (asynchronously: Wavu answers in this process). */
  inClient(cmd: string, args: string[], timeoutMs?: number): Promise<{ code: number; out: string }>;
  /** ndsctl in openNDS's namespaces. */
  ndsctl(...args: string[]): Promise<string>;
  /** Start openNDS with this opennds.conf body; resolves once it says it is running. */
  startOpenNds(conf: string, o: { hosts?: string[]; caPem?: string }): Promise<void>;
  /** Start a script (e.g. Wavu's deauth poller) inside openNDS's namespaces. */
  startInGateway(script: string): void;
  /**
   * Stop openNDS (SIGTERM: it removes its firewall rules), then what runs in its namespaces
   * (authmon, the poller), so the lab can start it again with another config.
   */
  stopOpenNds(): Promise<void>;
  log(): string;
  close(): Promise<void>;
}

export function startOpenNdsLab(): OpenNdsLab {
  const r = Math.floor(Math.random() * 200) + 20;
  const sfx = Math.random().toString(36).slice(2, 8);
  const C = `wnc-${sfx}`;
  const G = `wng-${sfx}`;
  const I = `wni-${sfx}`;
  const hostIf = `wno${sfx}`;
  const addr: LabAddresses = {
    client: `10.${r}.0.2`,
    clientMac: `02:00:00:${r.toString(16).padStart(2, '0')}:00:02`,
    gatewayLan: `10.${r}.0.1`,
    internet: `10.${r}.1.2`,
    host: `10.${r}.2.1`,
  };
  const dir = mkdtempSync(join(tmpdir(), 'wavu-nds-'));
  const children: ChildProcess[] = [];
  let ndsPid: number | null = null;
  let ndsLog = '';

  const ns = (n: string, ...a: string[]) => sh('ip', ['netns', 'exec', n, ...a]);
  for (const n of [C, G, I]) {
    sh('ip', ['netns', 'add', n]);
    ns(n, 'ip', 'link', 'set', 'lo', 'up');
  }
  sh('ip', ['link', 'add', 'c0', 'netns', C, 'type', 'veth', 'peer', 'name', 'lan0', 'netns', G]);
  sh('ip', ['link', 'add', 'wan0', 'netns', G, 'type', 'veth', 'peer', 'name', 'i0', 'netns', I]);
  sh('ip', ['link', 'add', hostIf, 'type', 'veth', 'peer', 'name', 'up0', 'netns', G]);
  ns(C, 'ip', 'link', 'set', 'c0', 'address', addr.clientMac);
  ns(C, 'ip', 'addr', 'add', `${addr.client}/24`, 'dev', 'c0');
  ns(C, 'ip', 'link', 'set', 'c0', 'up');
  ns(C, 'ip', 'route', 'add', 'default', 'via', addr.gatewayLan);
  ns(G, 'ip', 'addr', 'add', `${addr.gatewayLan}/24`, 'dev', 'lan0');
  ns(G, 'ip', 'link', 'set', 'lan0', 'up');
  ns(G, 'ip', 'addr', 'add', `10.${r}.1.1/24`, 'dev', 'wan0');
  ns(G, 'ip', 'link', 'set', 'wan0', 'up');
  ns(G, 'ip', 'addr', 'add', `10.${r}.2.2/30`, 'dev', 'up0');
  ns(G, 'ip', 'link', 'set', 'up0', 'up');
  ns(G, 'ip', 'route', 'add', 'default', 'via', addr.internet);
  ns(G, 'sysctl', '-qw', 'net.ipv4.ip_forward=1');
  ns(I, 'ip', 'addr', 'add', `${addr.internet}/24`, 'dev', 'i0');
  ns(I, 'ip', 'link', 'set', 'i0', 'up');
  ns(I, 'ip', 'route', 'add', `10.${r}.0.0/24`, 'via', `10.${r}.1.1`);
  sh('ip', ['addr', 'add', `${addr.host}/30`, 'dev', hostIf]);
  sh('ip', ['link', 'set', hostIf, 'up']);
  sh('ip', ['route', 'add', `10.${r}.0.0/24`, 'via', `10.${r}.2.2`]);

  const spawnIn = (n: string, args: string[]) => {
    const p = spawn('ip', ['netns', 'exec', n, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(p);
    return p;
  };
  // The "internet": a web server on 8080 (openNDS refuses it before login, allows it after).
  writeFileSync(
    join(dir, 'internet.js'),
    `const http = require('node:http');
     const big = Buffer.alloc(400000, 120);
     http.createServer((req, res) => {
       req.resume();
       if (req.url === '/big') { res.end(big); return; }
       res.end('HELLO FROM THE INTERNET\\n');
     }).listen(8080, ${JSON.stringify(addr.internet)});`,
  );
  spawnIn(I, [process.execPath, join(dir, 'internet.js')]);
  // openNDS checks it is online by its upstream's ARP entry: keep it fresh (bounded: 10 minutes).
  const ping = spawnIn(G, ['ping', '-q', '-i', '5', '-w', '600', addr.internet]);
  const gatewayScripts: ChildProcess[] = [];

  const nsPids = (n: string): number[] => {
    try {
      return sh('ip', ['netns', 'pids', n]).split(/\s+/).filter(Boolean).map(Number);
    } catch {
      return [];
    }
  };

  const lab: OpenNdsLab = {
    addr,
    dir,
    async inClient(cmd, args, timeoutMs = 20_000) {
      try {
        const { stdout } = await run('ip', ['netns', 'exec', C, cmd, ...args], {
          timeout: timeoutMs,
          maxBuffer: 4 * 1024 * 1024,
        });
        return { code: 0, out: stdout };
      } catch (e) {
        const x = e as { code?: number; stdout?: string };
        return { code: typeof x.code === 'number' ? x.code : 1, out: x.stdout ?? '' };
      }
    },
    async ndsctl(...args) {
      if (!ndsPid) throw new Error('openNDS is not running');
      const { stdout } = await run(
        'nsenter',
        [
          '-t',
          String(ndsPid),
          '-n',
          '-m',
          'env',
          'PATH=/tmp/bin:/usr/sbin:/usr/bin:/sbin:/bin',
          'ndsctl',
          ...args,
        ],
        { timeout: 10_000 },
      ).catch((e: { stdout?: string }) => ({ stdout: e.stdout ?? '' }));
      return stdout;
    },
    async startOpenNds(conf, o) {
      const upper = join(dir, 'etc-upper');
      const work = join(dir, 'etc-work');
      const tmp = join(dir, 'tmp');
      mkdirSync(join(upper, 'opennds'), { recursive: true });
      mkdirSync(join(upper, 'ssl', 'certs'), { recursive: true });
      mkdirSync(work, { recursive: true });
      mkdirSync(join(tmp, 'bin'), { recursive: true });
      writeFileSync(join(upper, 'opennds', 'opennds.conf'), conf);
      writeFileSync(
        join(upper, 'hosts'),
        `${readFileSync('/etc/hosts', 'utf8')}\n${(o.hosts ?? []).join('\n')}\n`,
      );
      if (o.caPem) {
        const system = existsSync('/etc/ssl/certs/ca-certificates.crt')
          ? readFileSync('/etc/ssl/certs/ca-certificates.crt', 'utf8')
          : '';
        writeFileSync(join(upper, 'ssl', 'certs', 'ca-certificates.crt'), `${system}\n${o.caPem}`);
      }
      writeFileSync(join(tmp, 'bin', 'iptables'), '#!/bin/sh\nexec /usr/sbin/iptables-legacy "$@"\n');
      // openNDS 9.10 reads its upload counters with "nft list chain ip filter ndsULR": show the legacy chain.
      writeFileSync(
        join(tmp, 'bin', 'nft'),
        `#!/bin/bash
a=("$@"); [ "\${a[0]}" = "-a" ] && a=("\${a[@]:1}")
if [ \${#a[@]} -eq 5 ] && [ "\${a[0]} \${a[1]} \${a[2]} \${a[3]}" = "list chain ip filter" ]; then
  out=$(/usr/sbin/iptables-legacy -t filter -v -n -x -L "\${a[4]}" 2>/dev/null) || exit 1
  printf 'table ip filter {\\n\\tchain %s {\\n' "\${a[4]}"
  echo "$out" | awk 'NR>2 {printf "\\t\\tip saddr %s counter packets %s bytes %s %s\\n", $8, $1, $2, tolower($3)}'
  printf '\\t}\\n}\\n'; exit 0
fi
exec /usr/sbin/nft "$@"
`,
      );
      chmodSync(join(tmp, 'bin', 'iptables'), 0o755);
      chmodSync(join(tmp, 'bin', 'nft'), 0o755);
      const expires = Math.floor(Date.now() / 1000) + 86_400;
      writeFileSync(join(tmp, 'dhcp.leases'), `${expires} ${addr.clientMac} ${addr.client} wavu-client *\n`);
      const p = spawnIn(G, [
        'unshare',
        '-m',
        '--propagation',
        'private',
        '/bin/sh',
        '-c',
        `mount -t overlay overlay -o lowerdir=/etc,upperdir=${upper},workdir=${work} /etc && ` +
          `mount --bind ${tmp} /tmp && export PATH=/tmp/bin:/usr/sbin:/usr/bin:/sbin:/bin && ` +
          'exec /usr/bin/opennds -f -d 3 -c /etc/opennds/opennds.conf',
      ]);
      ndsPid = p.pid ?? null;
      // A stopped instance may still be printing its last lines ("Exiting..."): judge the start
      // by this process's own output only.
      let own = '';
      const onData = (b: Buffer) => {
        ndsLog += b.toString();
        own += b.toString();
      };
      p.stdout!.on('data', onData);
      p.stderr!.on('data', onData);
      for (let i = 0; i < 120; i++) {
        if (/now running/.test(own)) return;
        if (/Exiting/.test(own) || p.exitCode !== null) break;
        await new Promise((res) => setTimeout(res, 250));
      }
      throw new Error(`openNDS did not start:\n${ndsLog.slice(-2000)}`);
    },
    startInGateway(script) {
      if (!ndsPid) throw new Error('openNDS is not running');
      // Inside openNDS's mount namespace, the lab's tmp folder is /tmp.
      const file = `script-${children.length}.sh`;
      writeFileSync(join(dir, 'tmp', file), script);
      chmodSync(join(dir, 'tmp', file), 0o755);
      const p = spawn(
        'nsenter',
        [
          '-t',
          String(ndsPid),
          '-n',
          '-m',
          'env',
          'PATH=/tmp/bin:/usr/sbin:/usr/bin:/sbin:/bin',
          '/bin/sh',
          `/tmp/${file}`,
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      gatewayScripts.push(p);
      p.stdout!.on('data', (b: Buffer) => {
        ndsLog += b.toString();
      });
      p.stderr!.on('data', (b: Buffer) => {
        ndsLog += b.toString();
      });
      children.push(p);
    },
    async stopOpenNds() {
      if (!ndsPid) return;
      const nds = ndsPid;
      ndsPid = null;
      for (const p of gatewayScripts.splice(0)) if (p.exitCode === null) p.kill('SIGKILL');
      try {
        process.kill(nds, 'SIGTERM');
      } catch {}
      for (let i = 0; i < 40 && nsPids(G).includes(nds); i++) await new Promise((r) => setTimeout(r, 250));
      // What is left in its namespace besides the lab's ping: authmon, the poller's shell.
      for (const pid of nsPids(G))
        if (pid !== ping.pid)
          try {
            process.kill(pid, 'SIGKILL');
          } catch {}
      // Its rules and chains, if it did not get to remove them all (this namespace is the lab's own).
      for (const t of ['filter', 'nat', 'mangle']) {
        for (const op of ['-F', '-X'])
          try {
            ns(G, 'iptables-legacy', '-t', t, op);
          } catch {}
      }
      try {
        ns(G, 'nft', 'flush', 'ruleset');
      } catch {}
      ndsLog = '';
    },
    log: () => ndsLog,
    async close() {
      // Everything left in our namespaces was started by this lab (openNDS, authmon, the poller).
      for (const n of [C, G, I])
        for (const pid of nsPids(n)) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {}
        }
      for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
      for (const n of [C, G, I]) {
        try {
          sh('ip', ['netns', 'del', n]);
        } catch {}
      }
      try {
        sh('ip', ['link', 'del', hostIf]);
      } catch {}
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return lab;
}

/** A self-signed certificate for the FAS name and address (openNDS's PHP and curl trust it as given). */
export function makeCertificate(dir: string, name: string, ip: string): { key: string; cert: string } {
  const key = join(dir, 'fas.key');
  const cert = join(dir, 'fas.pem');
  sh('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    key,
    '-out',
    cert,
    '-days',
    '2',
    '-subj',
    `/CN=${name}`,
    '-addext',
    `subjectAltName=DNS:${name},IP:${ip}`,
  ]);
  return { key: readFileSync(key, 'utf8'), cert: readFileSync(cert, 'utf8') };
}
