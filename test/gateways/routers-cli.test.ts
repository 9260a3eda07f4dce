import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { cliContext } from '../../src/cli/with-deps.ts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { routersCommand } from '../../src/gateways/cli.ts';
import { startRouterOsSim } from '../../src/sim/routeros/index.ts';
import { onPostgres } from '../helpers/db.ts';

// The CLI opens the configured database (embedded here); the PostgreSQL run covers the use cases elsewhere.
const dir = mkdtempSync(join(tmpdir(), 'wavu-routers-cli-'));
/** Async on purpose: the simulated router lives in this process and must keep answering. */
function wavu(args: string[]): Promise<{ status: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['bin/wavu.js', ...args],
      {
        encoding: 'utf8',
        env: {
          PATH: process.env.PATH ?? '',
          WAVU_DATA_DIR: dir,
          PUBLIC_URL: 'https://wifi.example.com',
          LOG_LEVEL: 'silent',
        },
        timeout: 60_000,
      },
      (e, stdout, stderr) =>
        resolve({ status: e ? ((e as { code?: number }).code ?? 1) : 0, out: stdout, err: stderr }),
    );
  });
}

describe.skipIf(onPostgres())('wavu routers', { timeout: 180_000 }, () => {
  it('explains itself and refuses mistakes with one clear line (as a newcomer runs it)', async () => {
    const help = await wavu(['routers', '--help']);
    expect(help.status).toBe(0);
    expect(help.out).toContain('add NAME --mode api --host ADDRESS');
    const noMode = await wavu(['routers', 'add', 'r1']);
    expect(noMode.status).toBe(2);
    expect(noMode.err).toContain('--mode is required: "api"');
    const noHost = await wavu(['routers', 'add', 'r1', '--mode', 'api']);
    expect(noHost.status).toBe(2);
    expect(noHost.err.trim()).toBe(
      "wavu routers add: --host: is required: the router's address, e.g. 192.168.88.1 (or a WireGuard tunnel, or --transport agent for a router Wavu cannot reach)",
    );
  });

  it('names the wrong option in plain words', async () => {
    const saved = { ...process.env };
    Object.assign(process.env, { WAVU_DATA_DIR: dir, LOG_LEVEL: 'silent' });
    try {
      await expect(run(['add', 'r1', '--mode', 'radius', '--host', '1.2.3.4'])).rejects.toThrow(
        'are for --mode api',
      );
      expect(
        (await run(['add', 'r1', '--mode', 'api', '--host', '1.2.3.4', '--transport', 'ssh'])).err,
      ).toContain('--transport: must be api, api-tls, rest or agent');
      expect((await run(['add', 'r1', '--mode', 'radius', '--address', '10.0.0.300'])).err).toContain(
        '--address: must be the IP address the router sends RADIUS from',
      );
      await expect(run(['frob'])).rejects.toThrow('unknown subcommand "frob"');
      const missing = await run(['test', 'nope']);
      expect(missing.status).toBe(1);
      expect(missing.err).toContain('No router called "nope"');
    } finally {
      process.env = saved;
    }
  });

  it('radius profiles: pfsense and opnsense from the command line, an unknown one refused', async () => {
    const saved = { ...process.env };
    Object.assign(process.env, {
      WAVU_DATA_DIR: dir,
      PUBLIC_URL: 'https://wifi.example.com',
      LOG_LEVEL: 'silent',
    });
    try {
      await expect(
        run(['add', 'x1', '--mode', 'api', '--host', '1.2.3.4', '--profile', 'pfsense']),
      ).rejects.toThrow('--profile and the --opnsense-* options are for --mode radius');
      const bad = await run(['add', 'x1', '--mode', 'radius', '--address', '10.0.0.9', '--profile', 'cisco']);
      expect(bad.status).toBe(2);
      expect(bad.err).toContain('--profile: must be mikrotik, pfsense or opnsense');
      const pf = await run([
        'add',
        'pf-cli',
        '--mode',
        'radius',
        '--address',
        '10.0.0.10',
        '--profile',
        'pfsense',
      ]);
      expect(pf.status, pf.err).toBe(0);
      expect(pf.out).toContain('pfsense profile');
      expect(pf.out).toMatch(/revocation\s+pfSense re-authenticates connected users every minute/);
      const script = await run(['script', 'pf-cli']);
      expect(script.out).toContain('Reauthenticate connected users every minute: ON');
      const opn = await run([
        'add',
        'opn-cli',
        '--mode',
        'radius',
        '--address',
        '10.0.0.11',
        '--profile',
        'opnsense',
      ]);
      expect(opn.status, opn.err).toBe(0);
      expect(opn.out).toContain('stays online until its Session-Timeout');
      expect((await run(['script', 'opn-cli'])).out).toContain('System → Access → Servers');
      // The next test lists every router and expects no warnings.
      for (const name of ['pf-cli', 'opn-cli']) expect((await run(['remove', name])).status).toBe(0);
    } finally {
      process.env = saved;
    }
  });

  it('adds a UniFi site with the options its guide gives (--controller, --api-key)', async () => {
    const saved = { ...process.env };
    Object.assign(process.env, { WAVU_DATA_DIR: dir, LOG_LEVEL: 'silent' });
    try {
      const key = 'AbCdEfGhIjKlMnOpQrStUvWxYz012345';
      const u = await run([
        'add',
        'lodge-cli',
        '--mode',
        'unifi',
        '--controller',
        'https://192.168.1.1',
        '--api-key',
        key,
      ]);
      expect(u.status, u.err).toBe(0);
      expect(u.out).toContain('UniFi integration API at https://192.168.1.1, site default');
      const local = await run([
        'add',
        'lodge-local',
        '--mode',
        'unifi',
        '--controller',
        'https://10.0.0.5:8443',
        '--unifi-site',
        'lobby',
        '--username',
        'wavu',
        '--password',
        'unifi-pass-1',
        '--api',
        'classic',
      ]);
      expect(local.status, local.err).toBe(0);
      expect(local.out).toContain('site lobby');
      await expect(
        run(['add', 'x2', '--mode', 'api', '--host', '1.2.3.4', '--controller', 'https://x']),
      ).rejects.toThrow('--controller, --unifi-site, --api and --api-key are for --mode unifi');
      // The next test lists every router and expects no warnings.
      for (const name of ['lodge-cli', 'lodge-local']) expect((await run(['remove', name])).status).toBe(0);
    } finally {
      process.env = saved;
    }
  });

  it('adds, tests, scripts, lists and removes routers', async () => {
    const sim = await startRouterOsSim({
      users: [{ name: 'wavu', password: 'sim-pass-123' }],
      httpPort: false,
    });
    const saved = { ...process.env };
    Object.assign(process.env, {
      WAVU_DATA_DIR: dir,
      PUBLIC_URL: 'https://wifi.example.com',
      LOG_LEVEL: 'silent',
    });
    try {
      const add = await run([
        'add',
        'lab',
        '--mode',
        'api',
        '--host',
        '127.0.0.1',
        '--port',
        String(sim.apiPort),
        // The simulator's plain API port: say so, as new routers default to API-TLS.
        '--transport',
        'api',
        '--password',
        'sim-pass-123',
      ]);
      expect(add.status).toBe(0);
      expect(add.out).toContain('Added router lab.');
      expect((await run(['add', 'lab', '--mode', 'api', '--host', '127.0.0.1'])).err).toContain(
        'A router named "lab" already exists.',
      );
      const ok = await run(['test', 'lab']);
      expect(ok.status).toBe(0);
      expect(ok.out).toMatch(/OK: lab answered in \d+ ms/);
      expect(ok.out).toContain('RouterOS 7.19.4');
      await run(['update', 'lab', '--password', 'wrong-pass-1']);
      const refused = await run(['test', 'lab']);
      expect(refused.status).toBe(1);
      expect(refused.err).toContain('invalid user name or password');
      expect(refused.err).toContain('wavu routers script lab');

      const radius = await run(['add', 'cafe', '--mode', 'radius', '--address', '10.8.0.12']);
      expect(radius.out).toMatch(/RADIUS secret generated: [\w-]{32}/);
      const list = await run(['list']);
      expect(list.out).toMatch(/lab\s+api\s+api 127\.0\.0\.1:\d+\s+down/);
      expect(list.out).toMatch(/cafe\s+radius\s+radius 10\.8\.0\.12\s+unknown/);
      expect(list.out).not.toContain('WARNING');

      // RADIUS is taken from the router's own address only, unless more is allowed.
      const wider = await run(['update', 'cafe', '--allow-from', '10.8.0.0/24, 10.9.0.7']);
      expect(wider.out).toContain('RADIUS from 10.8.0.12, 10.8.0.0/24, 10.9.0.7 (NAS-Identifier cafe)');
      expect((await run(['update', 'cafe', '--allow-from', '10.8.0.0/33'])).err).toContain(
        '--allow-from: "10.8.0.0/33": the prefix length must be 0–32',
      );
      const open = await run(['update', 'cafe', '--allow-from', 'any']);
      expect(open.out).toContain('RADIUS from any address');
      expect(open.out).toContain('WARNING      cafe accepts RADIUS from any address');
      const warned = await run(['list']);
      expect(warned.out).toMatch(/cafe\s+radius\s+radius any address/);
      expect(warned.out).toContain('WARNING: cafe accepts RADIUS from any address');
      expect((await run(['show', 'cafe', '--json'])).out).toContain('"allowFrom": "any"');
      expect((await run(['update', 'cafe', '--allow-from', 'none'])).out).not.toContain('WARNING');
      await expect(
        run(['add', 'r2', '--mode', 'api', '--host', '10.0.0.9', '--allow-from', 'any']),
      ).rejects.toThrow('are for --mode radius');

      const script = await run(['script', 'cafe', '--radius-address', '10.0.0.5']);
      expect(script.out).toContain('/radius add service=hotspot address=10.0.0.5 secret="');
      expect(script.out).toContain('dst-host="wifi.example.com" protocol=tcp dst-port=443');
      const out = mkdtempSync(join(tmpdir(), 'wavu-script-'));
      expect((await run(['script', 'lab', '--out', out])).status).toBe(0);
      const rsc = readFileSync(join(out, 'wavu-lab.rsc'), 'utf8');
      expect(rsc).toContain('/user add name="wavu" group=wavu-api password="wrong-pass-1"');
      expect(readFileSync(join(out, 'wavu', 'login.html'), 'utf8')).toContain(
        'action="https://wifi.example.com/portal"',
      );
      // An agent router: no host; its token is shown once and carried only by the script.
      const agent = await run(['add', 'far', '--mode', 'api', '--transport', 'agent']);
      const token = /Agent token \(shown once, only its hash is kept\): ([\w-]{32})/.exec(agent.out)?.[1];
      expect(token).toBeDefined();
      await expect(
        run(['add', 'far2', '--mode', 'api', '--transport', 'agent', '--host', '1.2.3.4']),
      ).rejects.toThrow('needs no --host');
      await expect(run(['script', 'far'])).rejects.toThrow('--token TOKEN');
      const only = await run(['script', 'far', `--token=${token!}`, '--agent-only', '--routeros', '6']);
      expect(only.out.startsWith('# The Wavu agent for router "far" (RouterOS 6.43+)')).toBe(true);
      expect(only.out).toContain('server-dns-names=');
      expect(only.out).toContain(`Bearer ${token}`);
      expect(only.out).toMatch(/agent\/v1\/poll\\+\?wait=0/);
      expect((await run(['list'])).out).toMatch(/far\s+api\s+agent \(polls Wavu\)/);
      const rotated = await run(['script', 'far', '--rotate-token', '--agent-only']);
      expect(rotated.err).toContain('the old one no longer works');
      expect(rotated.out).not.toContain(`Bearer ${token}`);
      expect(rotated.out).toContain('idle-timeout=35s');
      // The old token, and a mistyped one, no longer match the stored hash: no script is printed.
      for (const stale of [token!, 'not-the-token']) {
        const refused = await run(['script', 'far', `--token=${stale}`]);
        expect(refused.status).toBe(1);
        expect(refused.err).toContain('keeps only as a hash');
        expect(refused.out).toBe('');
      }
      await expect(run(['script', 'lab', '--token', 'x'])).rejects.toThrow('are for agent routers');
      expect((await run(['remove', 'cafe'])).out).toContain('Removed cafe.');
      expect((await run(['list'])).out).not.toContain('cafe');
    } finally {
      process.env = saved;
      await sim.stop();
    }
  });
});

/** The command in this process (faster than a child per call), output captured. */
async function run(argv: string[]): Promise<{ status: number | undefined; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((c) => {
    out += String(c);
    return true;
  });
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((c) => {
    err += String(c);
    return true;
  });
  try {
    const status = await routersCommand.run(argv, cliContext);
    return { status, out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}
