/**
 * FreeRADIUS as a NAS-side Disconnect/CoA listener (`listen { type = coa }`) in a config folder of
 * its own, on a free loopback port. FreeRADIUS checks the Request Authenticator and the
 * Message-Authenticator itself and drops a packet that fails either, so an answer proves both.
 * `recvCoa` is the body of its `recv-coa` section (what it ACKs or NAKs); `log()` is its -X output,
 * which shows every request it received with its attributes.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const RADDB = '/etc/freeradius/3.0';

/** Why FreeRADIUS cannot run here, or null. */
export const freeradiusMissing = (() => {
  try {
    execFileSync('sh', ['-c', 'command -v freeradius'], { stdio: 'ignore' });
    readdirSync(RADDB);
    return null;
  } catch {
    return 'needs Debian freeradius';
  }
})();

export interface FreeradiusCoaPeer {
  port: number;
  log(): string;
  stop(): void;
}

/** A copy of Debian's config with only what a CoA listener needs, and our site. */
function writeConfig(d: string, p: number, secret: string, recvCoa: string): string {
  const r = join(d, 'raddb');
  cpSync(RADDB, r, { recursive: true, dereference: false });
  rmSync(join(r, 'sites-enabled'), { recursive: true, force: true });
  mkdirSync(join(r, 'sites-enabled'));
  const keep = new Set(['always', 'expr', 'attr_filter', 'unpack', 'utf8', 'exec', 'preprocess']);
  for (const m of readdirSync(join(r, 'mods-enabled'))) {
    if (!keep.has(m)) rmSync(join(r, 'mods-enabled', m), { force: true });
  }
  mkdirSync(join(d, 'log'));
  mkdirSync(join(d, 'run'));
  const conf = readFileSync(join(r, 'radiusd.conf'), 'utf8')
    .replace(/^logdir = .*$/m, `logdir = ${join(d, 'log')}`)
    .replace(/^run_dir = .*$/m, `run_dir = ${join(d, 'run')}`)
    .replace(/^raddbdir = .*$/m, `raddbdir = ${r}`)
    .replace(/^\s*user = freerad/m, '#user = freerad')
    .replace(/^\s*group = freerad/m, '#group = freerad');
  writeFileSync(join(r, 'radiusd.conf'), conf);
  writeFileSync(
    join(r, 'clients.conf'),
    `client wavu {\n  ipaddr = 127.0.0.1\n  secret = ${secret}\n  require_message_authenticator = yes\n}\n`,
  );
  writeFileSync(
    join(r, 'sites-enabled', 'coa-nas'),
    `listen {
  type = coa
  ipaddr = 127.0.0.1
  port = ${p}
  virtual_server = coa-nas
}
server coa-nas {
  recv-coa {
${recvCoa}
  }
  send-coa {
    ok
  }
}
`,
  );
  return r;
}

export async function freeUdpPort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((res) => s.bind(0, '127.0.0.1', res));
  const p = s.address().port;
  s.close();
  return p;
}

export async function startFreeradiusCoa(o: { secret: string; recvCoa: string }): Promise<FreeradiusCoaPeer> {
  const dir = mkdtempSync(join(tmpdir(), 'wavu-coa-'));
  const port = await freeUdpPort();
  const raddb = writeConfig(dir, port, o.secret, o.recvCoa);
  let log = '';
  const proc: ChildProcess = spawn('freeradius', ['-X', '-d', raddb], { stdio: ['ignore', 'pipe', 'pipe'] });
  proc.stdout!.on('data', (b: Buffer) => {
    log += b.toString();
  });
  proc.stderr!.on('data', (b: Buffer) => {
    log += b.toString();
  });
  const stop = () => {
    if (proc.exitCode === null) proc.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  };
  for (let i = 0; i < 200 && !/Ready to process requests/.test(log); i++) {
    if (proc.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  if (!/Ready to process requests/.test(log)) {
    stop();
    throw new Error(`FreeRADIUS did not start:\n${log.slice(-2000)}`);
  }
  return { port, log: () => log, stop };
}
