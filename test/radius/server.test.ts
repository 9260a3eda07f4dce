/**
 * The RADIUS server end to end: FreeRADIUS's radclient plays the NAS over real UDP against our
 * server on ephemeral ports, on PGlite or PostgreSQL. Skipped (with a message) only when radclient
 * is not installed.
 */
import { createSocket } from 'node:dgram';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Deps } from '../../src/app/deps.ts';
import { asDate, query } from '../../src/db/open.ts';
import { ManualClock } from '../../src/lib/clock.ts';
import {
  attr,
  decodePacket,
  encodeRequest,
  getInt,
  getText,
  messageAuthenticatorFirst,
  RadiusCode,
  verifyResponse,
} from '../../src/protocols/radius/index.ts';
import { NO_DEVICE_PACKAGE } from '../../src/radius/access-request.ts';
import { startRadiusService } from '../../src/radius/service.ts';
import type { RadiusServer } from '../../src/radius/server.ts';
import { sweepStaleSessions } from '../../src/radius/sweep.ts';
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

const SECRET = 'testing123';
const clock = new ManualClock('2026-03-01T08:00:00Z');
let t: TestDatabase;
let deps: Deps;
let server: RadiusServer;
let routerId: number;

if (!hasRadclient) console.warn(NO_RADCLIENT);

const auth = (lines: string[], secret = SECRET) => radclient(server.authPort!, 'auth', secret, lines);
const acct = (lines: string[], secret = SECRET) => radclient(server.acctPort!, 'acct', secret, lines);
const MA = 'Message-Authenticator = 0x00';

async function code(id: string) {
  const [c] = await query<{
    status: string;
    used_seconds: number;
    used_bytes: number;
    activated_at: unknown;
  }>(deps.db, sql`SELECT status, used_seconds, used_bytes, activated_at FROM access_codes WHERE id = ${id}`);
  return { ...c!, used_seconds: Number(c!.used_seconds), used_bytes: Number(c!.used_bytes) };
}

async function session(acctSessionId: string) {
  const [s] = await query<{
    status: string;
    session_seconds: number;
    input_bytes: number;
    output_bytes: number;
    terminate_cause: string | null;
    access_code_id: string | null;
    ip: string | null;
    mac: string | null;
  }>(
    deps.db,
    sql`SELECT status, session_seconds, input_bytes, output_bytes, terminate_cause, access_code_id, ip, mac
        FROM sessions WHERE router_id = ${routerId} AND acct_session_id = ${acctSessionId}`,
  );
  return s;
}

describe.skipIf(!hasRadclient)(
  hasRadclient ? 'RADIUS server with radclient' : `SKIPPED: ${NO_RADCLIENT}`,
  () => {
    beforeAll(async () => {
      t = await createTestDatabase();
      deps = makeDeps(t, clock);
      routerId = await addRadiusRouter(deps, { name: 'hs1', secret: SECRET, address: '127.0.0.1' });
      server = await startRadiusService(deps, {
        host: '127.0.0.1',
        authPort: 0,
        acctPort: 0,
        interimSeconds: 60,
        // Routers added mid-test must be seen at once (production waits up to 1 s on a miss).
        nasCache: { ttlMs: 5_000, missReloadMs: 0 },
      });
    });
    afterAll(async () => {
      await server?.stop();
      await t?.drop();
    });

    it('PAP: accepts a voucher, starts its clock, binds the device and sends the limits', async () => {
      const v = await addVoucher(deps, {
        hours: 2,
        upKbps: 512,
        downKbps: 2048,
        capBytes: 5 * 2 ** 32 + 7,
        devices: 2,
      });
      const r = await auth([
        `User-Name = "${v.code}"`,
        `User-Password = "${v.code}"`,
        'Calling-Station-Id = "AA:BB:CC:00:00:01"',
        MA,
      ]);
      expect(r.reply).toBe('Access-Accept');
      expect(r.attrs).toMatchObject({
        'Session-Timeout': '7200',
        'Idle-Timeout': '600',
        'Acct-Interim-Interval': '60',
        'Port-Limit': '2',
        // rx/tx from the router's side: rx = the client's upload.
        'Mikrotik-Rate-Limit': '512k/2048k',
        'WISPr-Bandwidth-Max-Up': '512000',
        'WISPr-Bandwidth-Max-Down': '2048000',
        'Mikrotik-Total-Limit': '7',
        'Mikrotik-Total-Limit-Gigawords': '5',
      });
      // Message-Authenticator is the first attribute radclient printed.
      expect(Object.keys(r.attrs)[0]).toBe('Message-Authenticator');
      const c = await code(v.id);
      expect(c.status).toBe('active');
      expect(asDate(c.activated_at).toISOString()).toBe(clock.now().toISOString());
      const devs = await query<{ mac: string }>(
        deps.db,
        sql`SELECT mac FROM access_devices WHERE access_code_id = ${v.id}`,
      );
      expect(devs.map((d) => d.mac)).toEqual(['AA:BB:CC:00:00:01']);
    });

    it('PAP/CHAP: wrong password and unknown code are rejected in plain words', async () => {
      const v = await addVoucher(deps);
      const wrong = await auth([`User-Name = "${v.code}"`, 'User-Password = "guess"', MA]);
      expect(wrong.reply).toBe('Access-Reject');
      expect(wrong.attrs['Reply-Message']).toBe('That code is not valid. Check it and try again.');
      // A refused password must not have started the voucher's clock.
      expect((await code(v.id)).status).toBe('issued');
      const unknown = await auth(['User-Name = "QQQQQQQQQQ"', 'User-Password = "QQQQQQQQQQ"', MA]);
      expect(unknown.reply).toBe('Access-Reject');
      expect(unknown.attrs['Reply-Message']).toMatch(/not valid/);
      const chapWrong = await auth([`User-Name = "${v.code}"`, 'CHAP-Password = "guess"', MA]);
      expect(chapWrong.reply).toBe('Access-Reject');
      expect((await code(v.id)).status).toBe('issued');
    });

    it('CHAP: accepts the code typed in lower case (challenge = Request Authenticator)', async () => {
      const v = await addVoucher(deps);
      const r = await auth([
        `User-Name = "${v.code.toLowerCase()}"`,
        `CHAP-Password = "${v.code.toLowerCase()}"`,
        'Calling-Station-Id = "AA:BB:CC:00:00:02"',
        MA,
      ]);
      expect(r.reply).toBe('Access-Accept');
      expect(r.attrs['Session-Timeout']).toBe('3600');
      expect((await code(v.id)).status).toBe('active');
    });

    it('CHAP with a CHAP-Challenge, as MikroTik http-chap forwards it', async () => {
      const v = await addVoucher(deps);
      const lines = [
        `User-Name = "${v.code}"`,
        `CHAP-Password = "${v.code}"`,
        'CHAP-Challenge = 0x101112131415161718191a1b1c1d1e1f',
        MA,
      ];
      const r = await auth(lines);
      expect(r.stdout).toMatch(/CHAP-Challenge/);
      expect(r.reply).toBe('Access-Accept');
    });

    it('refuses a second device over the limit and an expired code, saying why', async () => {
      const v = await addVoucher(deps, { devices: 1 });
      const login = (mac: string) =>
        auth([`User-Name = "${v.code}"`, `User-Password = "${v.code}"`, `Calling-Station-Id = "${mac}"`, MA]);
      expect((await login('AA:BB:CC:00:01:01')).reply).toBe('Access-Accept');
      const second = await login('AA:BB:CC:00:01:02');
      expect(second.reply).toBe('Access-Reject');
      expect(second.attrs['Reply-Message']).toMatch(/maximum number of devices/);
      // The same device again is fine, with less time left.
      clock.advance(600_000);
      const again = await login('AA:BB:CC:00:01:01');
      expect(again.attrs['Session-Timeout']).toBe('3000');
      clock.advance(3600_000);
      const late = await login('AA:BB:CC:00:01:01');
      expect(late.reply).toBe('Access-Reject');
      expect(late.attrs['Reply-Message']).toMatch(/expired/);
    });

    it('MAC authentication: a bound device gets in by its MAC, an unknown one is told to buy', async () => {
      const v = await addVoucher(deps, { hours: 3 });
      await auth([
        `User-Name = "${v.code}"`,
        `User-Password = "${v.code}"`,
        'Calling-Station-Id = "AA:BB:CC:00:02:01"',
        MA,
      ]);
      // MikroTik login-by=mac: User-Name = the MAC in its radius-mac-format, password empty.
      const r = await auth([
        'User-Name = "aa-bb-cc-00-02-01"',
        'User-Password = ""',
        'Calling-Station-Id = "AA:BB:CC:00:02:01"',
        MA,
      ]);
      expect(r.reply).toBe('Access-Accept');
      expect(r.attrs['Session-Timeout']).toBe(String(3 * 3600));
      const bare = await auth(['User-Name = "AABBCC000201"', 'Calling-Station-Id = "AA:BB:CC:00:02:01"', MA]);
      expect(bare.reply).toBe('Access-Accept');
      // A gateway that puts its own User-Name and no password: the Calling-Station-Id decides.
      const byCalling = await auth(['User-Name = "guest"', 'Calling-Station-Id = "aa:bb:cc:00:02:01"', MA]);
      expect(byCalling.reply).toBe('Access-Accept');
      const unbound = await auth(['User-Name = "guest"', 'Calling-Station-Id = "AA:BB:CC:00:02:98"', MA]);
      expect(unbound.attrs['Reply-Message']).toBe(NO_DEVICE_PACKAGE);
      const stranger = await auth(['User-Name = "AA:BB:CC:00:02:99"', 'User-Password = ""', MA]);
      expect(stranger.reply).toBe('Access-Reject');
      expect(stranger.attrs['Reply-Message']).toBe(NO_DEVICE_PACKAGE);
    });

    it('drops packets signed with the wrong secret and Access-Requests without Message-Authenticator', async () => {
      const v = await addVoucher(deps);
      const before = { ...server.stats };
      const wrongSecret = await auth(
        [`User-Name = "${v.code}"`, `User-Password = "${v.code}"`, MA],
        'not-the-secret',
      );
      expect(wrongSecret.reply).toBeNull();
      const wrongAcct = await acct(['Acct-Status-Type = Start', 'Acct-Session-Id = "zz1"'], 'not-the-secret');
      expect(wrongAcct.reply).toBeNull();
      const noMa = await auth([`User-Name = "${v.code}"`, `User-Password = "${v.code}"`]);
      expect(noMa.reply).toBeNull();
      expect(server.stats.badAuthenticator - before.badAuthenticator).toBeGreaterThanOrEqual(2);
      expect(
        server.stats.missingMessageAuthenticator - before.missingMessageAuthenticator,
      ).toBeGreaterThanOrEqual(1);
      expect((await code(v.id)).status).toBe('issued');
      expect(await session('zz1')).toBeUndefined();
    });

    it('finds a NAS behind NAT by NAS-Identifier, each with its own secret; unknown NAS dropped', async () => {
      // Behind the same NAT address as hs1: allowed from it, told apart by NAS-Identifier.
      await addRadiusRouter(deps, {
        name: 'hs-nat',
        secret: 'other-secret',
        identifier: 'hs-nat',
        allowFrom: '127.0.0.1',
      });
      const v = await addVoucher(deps);
      const lines = [
        `User-Name = "${v.code}"`,
        `User-Password = "${v.code}"`,
        'NAS-Identifier = "hs-nat"',
        MA,
      ];
      expect((await auth(lines, 'other-secret')).reply).toBe('Access-Accept');
      // The same NAS-Identifier with the address router's secret is not that router.
      expect((await auth(lines, SECRET)).reply).toBeNull();
      // A router's NAS-Identifier and secret from an address not allowed for it: dropped…
      const farId = await addRadiusRouter(deps, {
        name: 'far',
        secret: 'far-secret',
        address: '10.9.9.9',
        identifier: 'far',
      });
      const v2 = await addVoucher(deps);
      const farLines = [
        `User-Name = "${v2.code}"`,
        `User-Password = "${v2.code}"`,
        'NAS-Identifier = "far"',
        MA,
      ];
      const refused = server.stats.sourceNotAllowed;
      expect((await auth(farLines, 'far-secret')).reply).toBeNull();
      expect(server.stats.sourceNotAllowed).toBe(refused + 1);
      expect((await code(v2.id)).status).toBe('issued');
      // …until the operator allows that network (or any address, for a router behind CGNAT).
      for (const allow of ['127.0.0.0/8', 'any']) {
        await deps.db.execute(sql`UPDATE routers SET radius_allow_from = ${allow} WHERE id = ${farId}`);
        clock.advance(5_001); // past the NAS snapshot's lifetime
        const v3 = await addVoucher(deps);
        const far = await auth(
          [`User-Name = "${v3.code}"`, `User-Password = "${v3.code}"`, 'NAS-Identifier = "far"', MA],
          'far-secret',
        );
        expect(far.reply, allow).toBe('Access-Accept');
      }
      // From an address no router has, without a known NAS-Identifier: dropped as unknown.
      const before = server.stats.unknownNas;
      const stranger = encodeRequest({
        code: RadiusCode.AccessRequest,
        identifier: 1,
        attributes: [attr('User-Name', v2.code), attr('User-Password', v2.code)],
        secret: SECRET,
      });
      expect(await exchange(server.authPort!, stranger, 500, 0, '127.0.0.2')).toBeNull();
      expect(server.stats.unknownNas).toBe(before + 1);
    });

    it('a router let off Message-Authenticator is answered without it in the request', async () => {
      await addRadiusRouter(deps, {
        name: 'old-ros',
        secret: 'old-secret',
        identifier: 'old-ros',
        requireMa: false,
        allowFrom: '127.0.0.1',
      });
      const v = await addVoucher(deps);
      const r = await auth(
        [`User-Name = "${v.code}"`, `User-Password = "${v.code}"`, 'NAS-Identifier = "old-ros"'],
        'old-secret',
      );
      expect(r.reply, r.stdout).toBe('Access-Accept');
      expect(r.attrs['Message-Authenticator']).toBeDefined();
    });

    it('replies are signed: Message-Authenticator first and valid, Response Authenticator valid', async () => {
      const v = await addVoucher(deps);
      const req = encodeRequest({
        code: RadiusCode.AccessRequest,
        identifier: 42,
        attributes: [
          attr('User-Name', v.code),
          attr('User-Password', v.code),
          attr('Proxy-State', Buffer.from('ps1')),
        ],
        secret: SECRET,
      });
      const raw = await exchange(server.authPort!, req);
      expect(raw).not.toBeNull();
      const resp = decodePacket(raw!);
      expect(resp.code).toBe(RadiusCode.AccessAccept);
      expect(resp.identifier).toBe(42);
      expect(messageAuthenticatorFirst(raw!)).toBe(true);
      expect(verifyResponse(resp, req.subarray(4, 20), SECRET)).toEqual({
        ok: true,
        messageAuthenticator: 'valid',
      });
      expect(getText(resp, 'Proxy-State')).toBe('ps1');
      // Status-Server is answered too (RFC 5997), when it carries a Message-Authenticator.
      const st = encodeRequest({
        code: RadiusCode.StatusServer,
        identifier: 9,
        attributes: [],
        secret: SECRET,
      });
      const stResp = decodePacket((await exchange(server.authPort!, st))!);
      expect(stResp.code).toBe(RadiusCode.AccessAccept);
      expect(verifyResponse(stResp, st.subarray(4, 20), SECRET).ok).toBe(true);
      expect((await radclient(server.authPort!, 'status', SECRET, [MA])).reply).toBe('Access-Accept');
      const stAcct = await radclient(server.acctPort!, 'status', SECRET, [MA]);
      expect(stAcct.reply, stAcct.stdout).toBe('Accounting-Response');
    });

    it('accounting Start/Interim/Stop is recorded once even when every packet is resent', async () => {
      const v = await addVoucher(deps, { capBytes: 10 * 2 ** 32 });
      const mac = 'AA:BB:CC:00:03:01';
      const a = await auth([
        `User-Name = "${v.code}"`,
        `User-Password = "${v.code}"`,
        `Calling-Station-Id = "${mac}"`,
        MA,
      ]);
      const cls = a.attrs.Class!;
      const base = [
        `User-Name = "${v.code}"`,
        'Acct-Session-Id = "81a00010"',
        `Calling-Station-Id = "${mac}"`,
        `Class = ${cls}`,
      ];
      const start = [...base, 'Acct-Status-Type = Start', 'Framed-IP-Address = 10.5.50.7'];
      expect((await acct(start)).reply).toBe('Accounting-Response');
      expect((await acct(start)).reply).toBe('Accounting-Response');
      const interim = [
        ...base,
        'Acct-Status-Type = Interim-Update',
        'Acct-Session-Time = 60',
        'Acct-Input-Octets = 1000',
        'Acct-Output-Octets = 5000',
      ];
      // Two radclient runs: different identifiers, so the database alone must dedupe.
      expect((await acct(interim)).reply).toBe('Accounting-Response');
      expect((await acct(interim)).reply).toBe('Accounting-Response');
      let c = await code(v.id);
      expect([c.used_seconds, c.used_bytes]).toEqual([60, 6000]);

      // A byte-identical resend (same id and authenticator) gets the identical reply from the cache.
      const interim2 = encodeRequest({
        code: RadiusCode.AccountingRequest,
        identifier: 77,
        attributes: [
          attr('User-Name', v.code),
          attr('Acct-Session-Id', '81a00010'),
          attr('Acct-Status-Type', 'Interim-Update'),
          attr('Acct-Session-Time', 120),
          attr('Acct-Input-Octets', 500),
          attr('Acct-Input-Gigawords', 1),
          attr('Acct-Output-Octets', 9000),
        ],
        secret: SECRET,
      });
      const sock = createSocket('udp4');
      await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
      const replies: Buffer[] = [];
      const got = new Promise<void>((resolve) =>
        sock.on('message', (m) => {
          replies.push(m);
          if (replies.length === 3) resolve();
        }),
      );
      const dupBefore = server.stats.duplicates;
      for (let i = 0; i < 3; i++) sock.send(interim2, server.acctPort!, '127.0.0.1');
      await got;
      sock.close();
      expect(replies[1]!.equals(replies[0]!)).toBe(true);
      expect(replies[2]!.equals(replies[0]!)).toBe(true);
      expect(verifyResponse(decodePacket(replies[0]!), interim2.subarray(4, 20), SECRET).ok).toBe(true);
      expect(server.stats.duplicates - dupBefore).toBe(2);
      c = await code(v.id);
      expect([c.used_seconds, c.used_bytes]).toEqual([120, 2 ** 32 + 500 + 9000]);

      // An older interim arriving late changes nothing; counters never go backwards.
      await acct(interim);
      c = await code(v.id);
      expect([c.used_seconds, c.used_bytes]).toEqual([120, 2 ** 32 + 500 + 9000]);

      const stop = [
        ...base,
        'Acct-Status-Type = Stop',
        'Acct-Session-Time = 150',
        'Acct-Input-Octets = 600',
        'Acct-Input-Gigawords = 1',
        'Acct-Output-Octets = 9400',
        'Acct-Terminate-Cause = User-Request',
      ];
      expect((await acct(stop)).reply).toBe('Accounting-Response');
      expect((await acct(stop)).reply).toBe('Accounting-Response');
      c = await code(v.id);
      expect([c.used_seconds, c.used_bytes]).toEqual([150, 2 ** 32 + 600 + 9400]);
      const s = await session('81a00010');
      expect(s).toMatchObject({
        status: 'closed',
        session_seconds: 150,
        input_bytes: 2 ** 32 + 600,
        output_bytes: 9400,
        terminate_cause: 'User-Request',
        access_code_id: v.id,
        ip: '10.5.50.7',
        mac,
      });
      const n = await query<{ n: number }>(
        deps.db,
        sql`SELECT count(*)::int AS n FROM sessions WHERE acct_session_id = '81a00010'`,
      );
      expect(n[0]!.n).toBe(1);
    });

    it('concurrent copies of one interim from several sockets count once', async () => {
      const v = await addVoucher(deps);
      await auth([`User-Name = "${v.code}"`, `User-Password = "${v.code}"`, MA]);
      const pkt = (id: number) =>
        encodeRequest({
          code: RadiusCode.AccountingRequest,
          identifier: id,
          attributes: [
            attr('User-Name', v.code),
            attr('Acct-Session-Id', 'conc-1'),
            attr('Acct-Status-Type', 'Interim-Update'),
            attr('Acct-Session-Time', 300),
            attr('Acct-Output-Octets', 123456),
          ],
          secret: SECRET,
        });
      const replies = await Promise.all(
        Array.from({ length: 12 }, (_, i) => exchange(server.acctPort!, pkt(i), 5000)),
      );
      expect(replies.every((r) => r !== null)).toBe(true);
      const c = await code(v.id);
      expect([c.used_seconds, c.used_bytes]).toEqual([300, 123456]);
    });

    it('an uptime voucher counts down with accounting and Session-Timeout follows', async () => {
      const v = await addVoucher(deps, { clock: 'uptime', hours: 1 });
      const lines = [
        `User-Name = "${v.code}"`,
        `User-Password = "${v.code}"`,
        'Calling-Station-Id = "AA:BB:CC:00:04:01"',
        MA,
      ];
      expect((await auth(lines)).attrs['Session-Timeout']).toBe('3600');
      await acct([
        `User-Name = "${v.code}"`,
        'Acct-Session-Id = "up-1"',
        'Acct-Status-Type = Stop',
        'Acct-Session-Time = 1000',
      ]);
      // Wall time does not matter for an uptime code.
      clock.advance(5 * 3600_000);
      expect((await auth(lines)).attrs['Session-Timeout']).toBe('2600');
      await acct([
        `User-Name = "${v.code}"`,
        'Acct-Session-Id = "up-2"',
        'Acct-Status-Type = Stop',
        'Acct-Session-Time = 2600',
      ]);
      const c = await code(v.id);
      expect(c.status).toBe('expired');
      const r = await auth(lines);
      expect(r.reply).toBe('Access-Reject');
      expect(r.attrs['Reply-Message']).toMatch(/expired|no time/);
    });

    it('sweeps silent sessions, reopens them if the NAS reports again, and Accounting-On closes all', async () => {
      const v = await addVoucher(deps, { hours: 24 });
      await auth([`User-Name = "${v.code}"`, `User-Password = "${v.code}"`, MA]);
      const base = [`User-Name = "${v.code}"`, 'Acct-Session-Id = "sw-1"'];
      await acct([...base, 'Acct-Status-Type = Start']);
      await sweepStaleSessions(deps, 180);
      expect((await session('sw-1'))!.status).toBe('active');
      clock.advance(181_000);
      expect(await sweepStaleSessions(deps, 180)).toBeGreaterThanOrEqual(1);
      expect(await session('sw-1')).toMatchObject({ status: 'closed', terminate_cause: 'Stale' });
      await acct([...base, 'Acct-Status-Type = Interim-Update', 'Acct-Session-Time = 240']);
      expect(await session('sw-1')).toMatchObject({
        status: 'active',
        terminate_cause: null,
        session_seconds: 240,
      });
      await acct(['Acct-Status-Type = Accounting-On']);
      expect(await session('sw-1')).toMatchObject({ status: 'closed', terminate_cause: 'NAS-Reboot' });
      const [r] = await query<{ last_seen_at: unknown }>(
        deps.db,
        sql`SELECT last_seen_at FROM routers WHERE id = ${routerId}`,
      );
      expect(r!.last_seen_at).not.toBeNull();
    });

    it('slows down code guessing per device: 10 wrong codes, then even a good one waits', async () => {
      const v = await addVoucher(deps);
      const from = (mac: string, c: string) =>
        auth([`User-Name = "${c}"`, `User-Password = "${c}"`, `Calling-Station-Id = "${mac}"`, MA]);
      for (let i = 0; i < 10; i++)
        expect((await from('AA:BB:CC:00:05:01', `WRONG${i}XXXX`)).reply).toBe('Access-Reject');
      const blocked = await from('AA:BB:CC:00:05:01', v.code);
      expect(blocked.reply).toBe('Access-Reject');
      expect(blocked.attrs['Reply-Message']).toMatch(/^Too many tries\. Wait \d+ minute/);
      const audits = await query<{ n: number }>(
        deps.db,
        sql`SELECT count(*)::int AS n FROM audit_log WHERE action = 'access.radius.failed' AND detail->>'mac' = 'AA:BB:CC:00:05:01'`,
      );
      expect(audits[0]!.n).toBe(10);
      expect((await code(v.id)).status).toBe('issued');
      // Another device on the same router is not affected; the first one may retry after the window.
      expect((await from('AA:BB:CC:00:05:02', v.code)).reply).toBe('Access-Accept');
      clock.advance(601_000);
      const v2 = await addVoucher(deps);
      expect((await from('AA:BB:CC:00:05:01', v2.code)).reply).toBe('Access-Accept');
    });

    it('a new Start from a device closes its session that never sent Stop', async () => {
      const v = await addVoucher(deps);
      const mac = 'AA:BB:CC:00:06:01';
      await auth([
        `User-Name = "${v.code}"`,
        `User-Password = "${v.code}"`,
        `Calling-Station-Id = "${mac}"`,
        MA,
      ]);
      const start = (id: string) =>
        acct([
          `User-Name = "${v.code}"`,
          `Acct-Session-Id = "${id}"`,
          'Acct-Status-Type = Start',
          `Calling-Station-Id = "${mac}"`,
        ]);
      await start('ls-1');
      await start('ls-2');
      expect(await session('ls-1')).toMatchObject({ status: 'closed', terminate_cause: 'Lost-Stop' });
      expect((await session('ls-2'))!.status).toBe('active');
    });

    it('ignores garbage and answers nothing to it', async () => {
      const before = server.stats.malformed;
      expect(await exchange(server.authPort!, Buffer.from('hello radius'), 300)).toBeNull();
      const bad = Buffer.alloc(30);
      bad[0] = 1;
      bad.writeUInt16BE(40, 2);
      expect(await exchange(server.authPort!, bad, 300)).toBeNull();
      expect(server.stats.malformed - before).toBe(2);
      // Accounting on the auth port is not served.
      const a = encodeRequest({
        code: RadiusCode.AccountingRequest,
        identifier: 1,
        attributes: [],
        secret: SECRET,
      });
      expect(await exchange(server.authPort!, a, 300)).toBeNull();
      expect(getInt({ attributes: [] }, 'Session-Timeout')).toBeUndefined();
    });
  },
);
