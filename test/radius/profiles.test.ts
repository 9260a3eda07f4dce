/**
 * Per-router RADIUS vendor profiles over real sockets: pfSense gets its own attributes
 * (radclient decodes them with FreeRADIUS's dictionary.pfsense) and is revoked by refusing its
 * every-minute re-authentication; OPNsense gets time only, and a revoked code's session is ended
 * through its captive-portal API (our simulator on a real HTTP socket), a wrong key showing on
 * the router as such. Also each profile's setup text.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { revokeCode } from '../../src/access/revoke.ts';
import { SYSTEM } from '../../src/audit/index.ts';
import type { Deps } from '../../src/app/deps.ts';
import { query } from '../../src/db/open.ts';
import { adapterFor } from '../../src/gateways/modes.ts';
import { routerById, toView } from '../../src/gateways/routers/repo.ts';
import { routerScript } from '../../src/gateways/routers/router-script.ts';
import { ManualClock } from '../../src/lib/clock.ts';
import {
  attr,
  decodePacket,
  encodeRequest,
  getText,
  type RadiusPacket,
  RadiusCode,
  VENDOR_MIKROTIK,
} from '../../src/protocols/radius/index.ts';
import { startRadiusService } from '../../src/radius/service.ts';
import type { RadiusServer } from '../../src/radius/server.ts';
import { type OpnsenseSim, startOpnsenseSim } from '../../src/sim/opnsense/index.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import {
  addRadiusRouter,
  addVoucher,
  exchange,
  hasRadclient,
  makeDeps,
  NO_RADCLIENT,
  radclient,
} from './helpers.ts';

const PF_SECRET = 'pfsense-secret-0123';
const OPN_SECRET = 'opnsense-secret-0123';
const KEY = 'w86XNZob/8Oq8aC5r0kbNarNtdpoQU781fyoeaOBQsBwkXUt';
const API_SECRET = 'XeD26XVrJ5ilAc/EmglCRC+0j2e57tRsjHwFepOseySWLM53pJASeTA3';
const clock = new ManualClock();
let t: TestDatabase;
let deps: Deps;
let server: RadiusServer;
let sim: OpnsenseSim;
let pfId: number;
let opnId: number;

async function setProfile(id: number, profile: string, extra = sql``) {
  await deps.db.execute(sql`UPDATE routers SET radius_profile = ${profile} ${extra} WHERE id = ${id}`);
}

/** An Access-Request from the NAS named by `ident` (both routers send from 127.0.0.1). */
async function login(
  ident: string,
  secret: string,
  code: string,
  mac: string,
  id = 1,
): Promise<RadiusPacket> {
  const req = encodeRequest({
    code: RadiusCode.AccessRequest,
    identifier: id,
    attributes: [
      attr('User-Name', code),
      attr('User-Password', code),
      attr('Calling-Station-Id', mac),
      attr('NAS-Identifier', ident),
    ],
    secret,
  });
  return decodePacket((await exchange(server.authPort!, req))!);
}

async function start(
  ident: string,
  secret: string,
  code: string,
  accept: RadiusPacket,
  s: { id: string; mac: string; ip: string },
) {
  const req = encodeRequest({
    code: RadiusCode.AccountingRequest,
    identifier: 9,
    attributes: [
      attr('User-Name', code),
      attr('Acct-Status-Type', 'Start'),
      attr('Acct-Session-Id', s.id),
      attr('Calling-Station-Id', s.mac),
      attr('Framed-IP-Address', s.ip),
      attr('NAS-Identifier', ident),
      attr('Class', accept.attributes.find((a) => a.type === 25)!.value),
    ],
    secret,
  });
  expect(await exchange(server.acctPort!, req)).not.toBeNull();
}

const sessionStatus = async (id: string) =>
  (
    await query<{ status: string; left: unknown }>(
      deps.db,
      sql`SELECT status, left_to_router_at AS left FROM sessions WHERE acct_session_id = ${id}`,
    )
  )[0];

beforeAll(async () => {
  t = await createTestDatabase();
  deps = makeDeps(t, clock);
  pfId = await addRadiusRouter(deps, {
    name: 'pf1',
    secret: PF_SECRET,
    address: '127.0.0.1',
    identifier: 'pf1',
  });
  opnId = await addRadiusRouter(deps, {
    name: 'opn1',
    secret: OPN_SECRET,
    address: '127.0.0.1',
    identifier: 'opn1',
  });
  await setProfile(pfId, 'pfsense');
  sim = await startOpnsenseSim({ apiKey: KEY, apiSecret: API_SECRET, zones: { 0: 'lobby', 3: 'guests' } });
  await setProfile(
    opnId,
    'opnsense',
    sql`, opnsense_url = ${sim.url}, opnsense_zone_id = 3, opnsense_api_key_sealed = ${deps.sealer.seal(KEY)},
          opnsense_api_secret_sealed = ${deps.sealer.seal(API_SECRET)}`,
  );
  server = await startRadiusService(deps, {
    host: '127.0.0.1',
    authPort: 0,
    acctPort: 0,
    interimSeconds: 60,
    nasCache: { ttlMs: 5_000, missReloadMs: 0 },
  });
});
afterAll(async () => {
  await server?.stop();
  await sim?.close();
  await t?.drop();
});

describe.skipIf(!hasRadclient)(
  hasRadclient ? 'pfSense profile with radclient' : `SKIPPED: ${NO_RADCLIENT}`,
  () => {
    it('answers with pfSense and WISPr attributes in bit/s, the data cap and the time left; no MikroTik ones', async () => {
      const v = await addVoucher(deps, { hours: 2, upKbps: 512, downKbps: 2048, capBytes: 300_000_000 });
      const r = await radclient(server.authPort!, 'auth', PF_SECRET, [
        `User-Name = "${v.code}"`,
        `User-Password = "${v.code}"`,
        'Calling-Station-Id = "AA:BB:CC:0F:00:01"',
        'NAS-Identifier = "pf1"',
        'Message-Authenticator = 0x00',
      ]);
      expect(r.reply, r.stdout).toBe('Access-Accept');
      expect(r.attrs['pfSense-Bandwidth-Max-Up']).toBe('512000');
      expect(r.attrs['pfSense-Bandwidth-Max-Down']).toBe('2048000');
      expect(r.attrs['pfSense-Max-Total-Octets']).toBe('300000000');
      expect(r.attrs['WISPr-Bandwidth-Max-Up']).toBe('512000');
      expect(r.attrs['WISPr-Bandwidth-Max-Down']).toBe('2048000');
      expect(r.attrs['Session-Timeout']).toBe('7200');
      expect(r.attrs['Acct-Interim-Interval']).toBe('60');
      expect(Object.keys(r.attrs).filter((k) => k.startsWith('Mikrotik'))).toEqual([]);
    });
  },
);

describe('pfSense profile: revocation by re-authentication', () => {
  it("a revoked code's next re-authentication is refused, and no Disconnect-Request is tried", async () => {
    const v = await addVoucher(deps, { hours: 24 });
    const mac = 'AA:BB:CC:0F:00:02';
    const accept = await login('pf1', PF_SECRET, v.code, mac);
    expect(accept.code).toBe(RadiusCode.AccessAccept);
    await start('pf1', PF_SECRET, v.code, accept, { id: 'pf-1', mac, ip: '10.1.0.2' });
    // The re-authentication a minute later: still fine.
    expect((await login('pf1', PF_SECRET, v.code, mac, 2)).code).toBe(RadiusCode.AccessAccept);
    await revokeCode(deps, { accessCodeId: v.id, actor: SYSTEM });
    // The gateway job's adapter has nothing to send pfSense: the session is left to it.
    await adapterFor(deps, (await routerById(deps.db, pfId))!).revoke(v.id, v.code);
    const s = await sessionStatus('pf-1');
    expect(s?.status).toBe('active');
    expect(s?.left).not.toBeNull();
    expect((await login('pf1', PF_SECRET, v.code, mac, 3)).code).toBe(RadiusCode.AccessReject);
  });

  it("an expired code's re-authentication is refused", async () => {
    const v = await addVoucher(deps, { hours: 1 });
    const mac = 'AA:BB:CC:0F:00:03';
    expect((await login('pf1', PF_SECRET, v.code, mac)).code).toBe(RadiusCode.AccessAccept);
    clock.advance(30 * 60_000);
    const half = await login('pf1', PF_SECRET, v.code, mac, 2);
    expect(half.code).toBe(RadiusCode.AccessAccept);
    expect(half.attributes.find((a) => a.type === 27)?.value.readUInt32BE(0)).toBe(1800);
    clock.advance(31 * 60_000);
    expect((await login('pf1', PF_SECRET, v.code, mac, 3)).code).toBe(RadiusCode.AccessReject);
  });
});

describe('OPNsense profile', () => {
  it('answers with time only: Session-Timeout, interim, Class; no MikroTik, pfSense or rate attributes', async () => {
    const v = await addVoucher(deps, { hours: 3, upKbps: 512, downKbps: 1024, capBytes: 10_000_000 });
    const a = await login('opn1', OPN_SECRET, v.code, 'AA:BB:CC:0E:00:01');
    expect(a.code).toBe(RadiusCode.AccessAccept);
    expect(a.attributes.find((x) => x.type === 27)?.value.readUInt32BE(0)).toBe(3 * 3600);
    expect(a.attributes.some((x) => x.type === 85)).toBe(true);
    expect(getText(a, 'Class')).toBe(`wavu:${v.id}`);
    // Only standard attributes (and the reply's Message-Authenticator): no Vendor-Specific (26).
    expect(a.attributes.filter((x) => x.type === 26 || x.vendorId === VENDOR_MIKROTIK)).toEqual([]);
    expect(a.attributes.map((x) => x.type).sort((p, q) => p - q)).toEqual([25, 27, 80, 85]);
  });

  it("revocation ends the session through the captive-portal API (found by IP in the router's zone)", async () => {
    const v = await addVoucher(deps, { hours: 24 });
    const mac = 'AA:BB:CC:0E:00:02';
    const accept = await login('opn1', OPN_SECRET, v.code, mac);
    await start('opn1', OPN_SECRET, v.code, accept, { id: 'opn-1', mac, ip: '10.3.0.7' });
    const mine = sim.login({ zoneId: 3, userName: v.code, ip: '10.3.0.7', mac });
    const other = sim.login({ zoneId: 3, userName: 'someone', ip: '10.3.0.8', mac: 'AA:BB:CC:0E:00:99' });
    const lobby = sim.login({ zoneId: 0, userName: v.code, ip: '10.3.0.7', mac });
    await revokeCode(deps, { accessCodeId: v.id, actor: SYSTEM });
    await adapterFor(deps, (await routerById(deps.db, opnId))!).revoke(v.id, v.code);
    expect(
      sim
        .sessions()
        .map((s) => s.sessionId)
        .sort(),
    ).toEqual([other.sessionId, lobby.sessionId].sort());
    expect(sim.sessions().some((s) => s.sessionId === mine.sessionId)).toBe(false);
    expect((await sessionStatus('opn-1'))?.status).toBe('closed');
    expect(sim.requests).toContain('POST /api/captiveportal/session/disconnect/3');
  });

  it('a wrong API secret is refused (401), the job fails to retry, and the router says so', async () => {
    await deps.db.execute(
      sql`UPDATE routers SET opnsense_api_secret_sealed = ${deps.sealer.seal('not-the-secret-at-all')} WHERE id = ${opnId}`,
    );
    const v = await addVoucher(deps, { hours: 24 });
    const mac = 'AA:BB:CC:0E:00:03';
    const accept = await login('opn1', OPN_SECRET, v.code, mac);
    await start('opn1', OPN_SECRET, v.code, accept, { id: 'opn-2', mac, ip: '10.3.0.9' });
    const held = sim.login({ zoneId: 3, userName: v.code, ip: '10.3.0.9', mac });
    const adapter = adapterFor(deps, (await routerById(deps.db, opnId))!);
    await expect(adapter.revoke(v.id, v.code)).rejects.toThrow(/HTTP 401/);
    expect(sim.sessions().some((s) => s.sessionId === held.sessionId)).toBe(true);
    expect((await sessionStatus('opn-2'))?.status).toBe('active');
    const view = toView((await routerById(deps.db, opnId))!);
    expect(view.lastError).toMatch(/refused the API key and secret \(HTTP 401\)/);
    expect(view.problem).toMatch(/OPNsense refused Wavu's API key and secret/);
    const health = await adapter.health();
    expect(health.ok).toBe(false);
    expect(health.error).toMatch(/401/);
    // Fixed: the retried job ends the session and the router's problem goes away.
    await deps.db.execute(
      sql`UPDATE routers SET opnsense_api_secret_sealed = ${deps.sealer.seal(API_SECRET)} WHERE id = ${opnId}`,
    );
    await adapterFor(deps, (await routerById(deps.db, opnId))!).revoke(v.id, v.code);
    expect(sim.sessions().some((s) => s.sessionId === held.sessionId)).toBe(false);
    expect(toView((await routerById(deps.db, opnId))!).lastError).toBeNull();
  });

  it('without API credentials the session is left to its Session-Timeout, and the router page says so', async () => {
    await deps.db.execute(
      sql`UPDATE routers SET opnsense_url = NULL, opnsense_zone_id = NULL, opnsense_api_key_sealed = NULL,
                             opnsense_api_secret_sealed = NULL WHERE id = ${opnId}`,
    );
    const v = await addVoucher(deps, { hours: 24 });
    const mac = 'AA:BB:CC:0E:00:04';
    const accept = await login('opn1', OPN_SECRET, v.code, mac);
    await start('opn1', OPN_SECRET, v.code, accept, { id: 'opn-3', mac, ip: '10.3.0.10' });
    const before = sim.requests.length;
    await adapterFor(deps, (await routerById(deps.db, opnId))!).revoke(v.id, v.code);
    expect(sim.requests.length).toBe(before);
    expect((await sessionStatus('opn-3'))?.left).not.toBeNull();
    const view = toView((await routerById(deps.db, opnId))!);
    expect(view.warnings.join(' ')).toMatch(/stays online until its Session-Timeout/);
    expect(view.revocation).toMatch(/Only by Session-Timeout/);
  });
});

describe('setup text per profile', () => {
  it('pfSense: captive portal RADIUS steps with the secret, NAS address, re-authentication and interim', async () => {
    const text = await routerScript(deps, (await routerById(deps.db, pfId))!, {
      radiusAddress: '203.0.113.5',
    });
    expect(text).toContain('Services → Captive Portal');
    expect(text).toContain(`Shared Secret:           ${PF_SECRET}`);
    expect(text).toContain('Hostname or IP address:  203.0.113.5');
    expect(text).toContain('127.0.0.1');
    expect(text).toMatch(/Reauthenticate connected users every minute: ON/);
    expect(text).toMatch(/Accounting updates "Interim"/);
    expect(text).not.toContain('/radius add');
  });

  it('OPNsense: access server, captive portal zone and API key steps; without a key it says revocation waits', async () => {
    const text = await routerScript(deps, (await routerById(deps.db, opnId))!, {});
    expect(text).toContain('System → Access → Servers');
    expect(text).toContain(`Shared Secret:       ${OPN_SECRET}`);
    expect(text).toContain('Captive Portal → Administration → Zones');
    expect(text).toContain('API keys');
    expect(text).toMatch(/stays online until its\n# {4}Session-Timeout/);
    expect(text).toContain('wavu routers update opn1 --opnsense-url');
  });

  it('MikroTik (the default profile) still gets the RouterOS script', async () => {
    const id = await addRadiusRouter(deps, {
      name: 'mt1',
      secret: 'mikrotik-secret-01',
      address: '10.9.9.9',
    });
    const text = await routerScript(deps, (await routerById(deps.db, id))!, { radiusAddress: '203.0.113.5' });
    expect(text).toContain('/radius add service=hotspot');
  });
});
