/** WireGuard tunnels: keys, the address pool (also under concurrent adds), and both printed ends. */
import { execFileSync } from 'node:child_process';
import { cliContext } from '../../src/cli/with-deps.ts';
import { SYSTEM } from '../../src/audit/index.ts';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type App, createApp } from '../../src/app/run.ts';
import { ConfigError } from '../../src/config.ts';
import { query } from '../../src/db/open.ts';
import { routersCommand } from '../../src/gateways/cli.ts';
import { dialHost } from '../../src/gateways/connections.ts';
import { wireguardCommand } from '../../src/gateways/wireguard/cli.ts';
import { addRouter, findRouter, removeRouter } from '../../src/gateways/index.ts';
import { routerScript } from '../../src/gateways/routers/router-script.ts';
import { generateKeyPair, isKey, publicKeyOf } from '../../src/gateways/wireguard/keys.ts';
import { serverConfig } from '../../src/gateways/wireguard/server-config.ts';
import { hostAt, parseEndpoint, parseSubnet } from '../../src/lib/ipv4.ts';
import { ManualClock } from '../../src/lib/clock.ts';
import { silentLog, testConfig } from '../helpers/app.ts';
import { createTestDatabase, onPostgres, type TestDatabase } from '../helpers/db.ts';

describe('WireGuard keys', () => {
  it('are X25519 in the base64 form wg uses, and the public key follows from the private one', () => {
    const k = generateKeyPair();
    expect(isKey(k.privateKey) && isKey(k.publicKey)).toBe(true);
    expect(publicKeyOf(k.privateKey)).toBe(k.publicKey);
    expect(generateKeyPair().privateKey).not.toBe(k.privateKey);
    expect(() => publicKeyOf('not-a-key')).toThrow(/not a WireGuard key/);
  });

  it.skipIf(!existsSync('/usr/bin/wg'))('agree with `wg pubkey` (wireguard-tools)', () => {
    for (let i = 0; i < 3; i++) {
      const k = generateKeyPair();
      expect(execFileSync('/usr/bin/wg', ['pubkey'], { input: k.privateKey, encoding: 'utf8' }).trim()).toBe(
        k.publicKey,
      );
      const theirs = execFileSync('/usr/bin/wg', ['genkey'], { encoding: 'utf8' }).trim();
      expect(publicKeyOf(theirs)).toBe(
        execFileSync('/usr/bin/wg', ['pubkey'], { input: theirs, encoding: 'utf8' }).trim(),
      );
    }
  });
});

describe('WireGuard settings', () => {
  it('pool, listen port and endpoint have defaults; the endpoint defaults to PUBLIC_URL’s host', () => {
    const c = testConfig({ PUBLIC_URL: 'https://wifi.example.com' });
    expect(c.wireguard.subnet.cidr).toBe('10.250.0.0/24');
    expect(c.wireguard.listenPort).toBe(51820);
    expect(c.wireguard.endpoint).toEqual({ host: 'wifi.example.com', port: 51820 });
    const d = testConfig({
      WIREGUARD_SUBNET: '172.20.1.9/16',
      WIREGUARD_LISTEN_PORT: '51000',
      WIREGUARD_ENDPOINT: '[2001:db8::1]:443',
    });
    expect(d.wireguard.subnet.cidr).toBe('172.20.0.0/16');
    expect(d.wireguard.listenPort).toBe(51000);
    expect(d.wireguard.endpoint).toEqual({ host: '2001:db8::1', port: 443 });
  });

  it('refuses values that would make a broken tunnel, naming the variable', () => {
    for (const [name, value] of [
      ['WIREGUARD_SUBNET', '10.250.0.0/31'],
      ['WIREGUARD_SUBNET', 'fd00::/64'],
      ['WIREGUARD_SUBNET', '10.250.0.0'],
      ['WIREGUARD_ENDPOINT', 'vpn.example.com'],
      ['WIREGUARD_ENDPOINT', 'vpn.example.com:99999'],
      ['WIREGUARD_LISTEN_PORT', '0'],
    ] as const) {
      expect(() => testConfig({ [name]: value }), `${name}=${value}`).toThrow(ConfigError);
      try {
        testConfig({ [name]: value });
      } catch (e) {
        expect((e as ConfigError).problems[0]).toMatch(new RegExp(`^${name}: `));
      }
    }
  });

  it('addresses are counted from the network, and the broadcast is never handed out', () => {
    const s = parseSubnet('10.250.0.0/30')!;
    expect([hostAt(s, 1), hostAt(s, 2), hostAt(s, 3)]).toEqual(['10.250.0.1', '10.250.0.2', null]);
    expect(parseEndpoint('203.0.113.5:51820')).toEqual({ host: '203.0.113.5', port: 51820 });
    expect(parseEndpoint('[nonsense]:1')).toBeNull();
  });
});

describe('routers with --tunnel wireguard', () => {
  const clock = new ManualClock('2026-03-02T08:00:00Z');
  let t: TestDatabase;
  let app: App;

  beforeAll(async () => {
    t = await createTestDatabase();
    app = await createApp({
      config: testConfig({
        PUBLIC_URL: 'https://wifi.example.com',
        WIREGUARD_ENDPOINT: 'vpn.example.com:51821',
      }),
      roles: [],
      log: silentLog(),
      database: t.database,
      clock,
    });
  });
  afterAll(async () => {
    await app?.stop();
    await t?.drop();
  });

  it('get distinct addresses from .2 even when added at the same moment', async () => {
    const added = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        addRouter(app.deps, { mode: 'api', name: `t-${i}`, tunnel: 'wireguard' }, { actor: SYSTEM }),
      ),
    );
    const addresses = added
      .map((a) => a.router.tunnelAddress!)
      .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
    expect(addresses).toEqual(Array.from({ length: 12 }, (_, i) => `10.250.0.${i + 2}`));
    expect(new Set(added.map((a) => a.router.wgPublicKey)).size).toBe(12);
  });

  it('keep the private key sealed; Wavu dials the tunnel address, not the host', async () => {
    const { router } = await addRouter(
      app.deps,
      {
        mode: 'api',
        name: 'with-host',
        host: '192.168.88.1',
        tunnel: 'wireguard',
      },
      { actor: SYSTEM },
    );
    const row = await findRouter(app.deps, router.id);
    expect(row.wgPrivateKeySealed).toMatch(/^v1\./);
    const priv = app.deps.sealer.unseal(row.wgPrivateKeySealed!);
    expect(row.wgPrivateKeySealed).not.toContain(priv);
    expect(publicKeyOf(priv)).toBe(row.wgPublicKey);
    expect(dialHost(row)).toBe(row.tunnelAddress);
    const plain = await addRouter(
      app.deps,
      { mode: 'api', name: 'plain', host: '192.168.88.2', transport: 'api' },
      { actor: SYSTEM },
    );
    expect(dialHost(await findRouter(app.deps, plain.router.id))).toBe('192.168.88.2');
    expect(plain.router.tunnelAddress).toBeNull();
  });

  it('reuse the lowest address a removed router freed, and refuse when the pool is full', async () => {
    const freed = (await findRouter(app.deps, 't-3')).tunnelAddress;
    await removeRouter(app.deps, 't-3', { actor: SYSTEM });
    const again = await addRouter(
      app.deps,
      { mode: 'api', name: 't-3b', tunnel: 'wireguard' },
      { actor: SYSTEM },
    );
    expect(again.router.tunnelAddress).toBe(freed);

    // Another pool on the same database: addresses outside it do not count against it.
    const config = app.deps.config;
    const small = {
      ...app.deps,
      config: { ...config, wireguard: { ...config.wireguard, subnet: parseSubnet('10.9.9.0/30')! } },
    };
    expect(
      (await addRouter(small, { mode: 'api', name: 'only', tunnel: 'wireguard' }, { actor: SYSTEM })).router
        .tunnelAddress,
    ).toBe('10.9.9.2');
    await expect(
      addRouter(small, { mode: 'api', name: 'one-more', tunnel: 'wireguard' }, { actor: SYSTEM }),
    ).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringContaining('pool 10.9.9.0/30 is full'),
    });
  });

  it('are api-mode only (the database refuses a half-made tunnel too)', async () => {
    await expect(
      addRouter(
        app.deps,
        { mode: 'radius', name: 'rad', address: '10.0.0.9', tunnel: 'wireguard' } as never,
        { actor: SYSTEM },
      ),
    ).rejects.toThrow(/only for mode api/);
    await expect(
      query(
        app.deps.db,
        sql`UPDATE routers SET tunnel = 'wireguard', tunnel_address = NULL WHERE name = 'plain'`,
      ),
    ).rejects.toThrow(/routers_tunnel_complete/);
  });

  it("print the router's end: the tunnel, keepalive, and the API only from the server's address", async () => {
    const row = await findRouter(app.deps, 'with-host');
    const rsc = await routerScript(app.deps, row);
    const priv = app.deps.sealer.unseal(row.wgPrivateKeySealed!);
    const server = (await serverConfig(app.deps)).match(/^PrivateKey = (\S+)$/m)![1]!;
    expect(rsc).toContain(`/interface wireguard add name="wavu-wg" private-key="${priv}" comment="Wavu"`);
    expect(rsc).toContain(
      `/interface wireguard peers add interface="wavu-wg" public-key="${publicKeyOf(server)}" endpoint-address="vpn.example.com" endpoint-port=51821 allowed-address=10.250.0.1/32 persistent-keepalive=25s comment="Wavu"`,
    );
    expect(rsc).toContain(
      `/ip address add address=${row.tunnelAddress}/24 interface="wavu-wg" comment="Wavu"`,
    );
    expect(rsc).toContain('/ip service set api disabled=no address=10.250.0.1/32');
    expect(rsc).toMatch(
      /in-interface="wavu-wg" src-address=10\.250\.0\.1 protocol=tcp dst-port=8728 action=accept/,
    );
    // The tunnel comes first: the rest of the script may run over it.
    expect(rsc.indexOf('/interface wireguard add')).toBeLessThan(rsc.indexOf('/user add'));

    const rest = await addRouter(
      app.deps,
      {
        mode: 'api',
        name: 'rest-wg',
        transport: 'rest',
        tunnel: 'wireguard',
      },
      { actor: SYSTEM },
    );
    expect(await routerScript(app.deps, await findRouter(app.deps, rest.router.id))).toContain(
      '/ip service set www-ssl certificate=wavu-api disabled=no address=10.250.0.1/32',
    );
    const plain = await routerScript(app.deps, await findRouter(app.deps, 'plain'));
    expect(plain).not.toContain('wireguard');
    expect(plain).toMatch(/^\/ip service set api disabled=no( address=.+)?$/m);
  });

  it("print the server's end: one key, kept; every tunnelled router a /32 peer", async () => {
    const conf = await serverConfig(app.deps);
    expect(conf).toMatch(
      /^\[Interface\]\nAddress = 10\.250\.0\.1\/24\nListenPort = 51820\nPrivateKey = \S{44}$/m,
    );
    expect(await serverConfig(app.deps)).toBe(conf);
    const tunnelled = await query<{ name: string; tunnel_address: string; wg_public_key: string }>(
      app.deps.db,
      sql`SELECT name, tunnel_address, wg_public_key FROM routers WHERE tunnel = 'wireguard' ORDER BY id`,
    );
    const peers = [...conf.matchAll(/# router (\S+)\n\[Peer\]\nPublicKey = (\S+)\nAllowedIPs = (\S+)/g)].map(
      (m) => [m[1], m[3], m[2]],
    );
    expect(peers).toEqual(tunnelled.map((r) => [r.name, `${r.tunnel_address}/32`, r.wg_public_key]));
    expect(conf).not.toContain('plain');
    expect(conf).not.toMatch(/Endpoint/);
  });
});

describe.skipIf(onPostgres())('wavu wireguard server-config', () => {
  it('writes the server end for routers added with --tunnel wireguard, readable by its owner only', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wavu-wgcli-'));
    const saved = { ...process.env };
    Object.assign(process.env, {
      WAVU_DATA_DIR: dir,
      LOG_LEVEL: 'silent',
      PUBLIC_URL: 'https://wifi.example.com',
    });
    const out: string[] = [];
    const o = vi.spyOn(process.stdout, 'write').mockImplementation((c) => {
      out.push(String(c));
      return true;
    });
    try {
      expect(
        await routersCommand.run(['add', 'cli-wg', '--mode', 'api', '--tunnel', 'wireguard'], cliContext),
      ).toBe(0);
      expect(out.join('')).toContain("the router's tunnel address is 10.250.0.2");
      await expect(
        routersCommand.run(['add', 'x', '--mode', 'radius', '--tunnel', 'wireguard'], cliContext),
      ).rejects.toThrow('--tunnel wireguard is for --mode api');
      const file = join(dir, 'wavu.conf');
      expect(await wireguardCommand.run(['server-config', '--out', file], cliContext)).toBe(0);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(readFileSync(file, 'utf8')).toMatch(
        /# router cli-wg\n\[Peer\]\nPublicKey = \S{44}\nAllowedIPs = 10\.250\.0\.2\/32/,
      );
      await expect(wireguardCommand.run(['client-config'], cliContext)).rejects.toThrow('unknown subcommand');
    } finally {
      o.mockRestore();
      process.env = saved;
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
