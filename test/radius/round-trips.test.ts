/**
 * Round trips per RADIUS request, counted in the driver (Database.stats). Counts are stable where
 * times are not: a new statement on the Access-Request path fails here instead of showing up as a
 * slower benchmark. An Access-Request for a code is one statement (guessing check, decision,
 * device binding, in access_authorize) and so one commit; a right code only reads the guessing
 * limits, a failed attempt is counted.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Deps } from '../../src/app/deps.ts';
import { asDate, query } from '../../src/db/open.ts';
import { ManualClock } from '../../src/lib/clock.ts';
import { attr, decodePacket, encodeRequest, getText, RadiusCode } from '../../src/protocols/radius/index.ts';
import { startRadiusService } from '../../src/radius/service.ts';
import type { RadiusServer } from '../../src/radius/server.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { addRadiusRouter, addVoucher, exchange, makeDeps } from './helpers.ts';

const SECRET = 'round-trip-secret';
let t: TestDatabase;
let deps: Deps;
let server: RadiusServer;

beforeAll(async () => {
  t = await createTestDatabase();
  deps = makeDeps(t, new ManualClock());
  await addRadiusRouter(deps, { name: 'rt', secret: SECRET, address: '127.0.0.1' });
  server = await startRadiusService(deps, { host: '127.0.0.1', authPort: 0, acctPort: 0 });
});
afterAll(async () => {
  await server.stop();
  await t.drop();
});

async function login(user: string, password: string, mac: string) {
  const reply = await exchange(
    server.authPort!,
    encodeRequest({
      code: RadiusCode.AccessRequest,
      identifier: 1,
      attributes: [attr('User-Name', user), attr('User-Password', password), attr('Calling-Station-Id', mac)],
      secret: SECRET,
    }),
  );
  return decodePacket(reply!);
}

/** What one call sent to the database. */
async function counted<T>(f: () => Promise<T>) {
  const before = { ...t.database.stats };
  const result = await f();
  return {
    result,
    statements: t.database.stats.statements - before.statements,
    transactions: t.database.stats.transactions - before.transactions,
  };
}

const guessCount = async (like: string) => {
  const [r] = await query<{ n: number | string | null }>(
    deps.db,
    sql`SELECT coalesce(sum(count), 0) AS n FROM rate_limits WHERE key LIKE ${like}`,
  );
  return Number(r!.n);
};

describe('RADIUS round trips', () => {
  it('an Access-Request for a code is one statement, first login and later ones alike', async () => {
    // The router's last-seen mark is written at most every 30 s: the first request takes it.
    const warm = await addVoucher(deps, { hours: 1, devices: 2 });
    expect((await login(warm.code, warm.code, '02:00:00:00:00:01')).code).toBe(RadiusCode.AccessAccept);

    const v = await addVoucher(deps, { hours: 1, devices: 2 });
    const first = await counted(() => login(v.code, v.code, '02:00:00:00:00:02'));
    expect(first.result.code).toBe(RadiusCode.AccessAccept);
    expect(getText(first.result, 'Class')).toBe(`wavu:${v.id}`);
    expect({ statements: first.statements, transactions: first.transactions }).toEqual({
      statements: 1,
      transactions: 0,
    });
    // The first login did everything it did before in that one statement: clock started, device
    // bound, expiry scheduled, the guessing hits given back.
    const [code] = await query<{ status: string; n: number | string }>(
      deps.db,
      sql`SELECT c.status, (SELECT count(*) FROM access_devices d WHERE d.access_code_id = c.id) AS n
            FROM access_codes c WHERE c.id = ${v.id}`,
    );
    expect(code).toEqual({ status: 'active', n: expect.anything() });
    expect(Number(code!.n)).toBe(1);
    const [job] = await query<{ n: number | string }>(
      deps.db,
      sql`SELECT count(*) AS n FROM jobs WHERE kind = 'access.expire' AND payload->>'accessCodeId' = ${v.id}`,
    );
    expect(Number(job!.n)).toBe(1);
    expect(await guessCount('guess:radius:%')).toBe(0);
    // A right code is not counted and then given back: it writes nothing to rate_limits at all
    // (the limits are only read), so logins share no counter row.
    const [rows] = await query<{ n: number | string }>(
      deps.db,
      sql`SELECT count(*) AS n FROM rate_limits WHERE key LIKE 'guess:radius:%'`,
    );
    expect(Number(rows!.n)).toBe(0);

    const again = await counted(() => login(v.code, v.code, '02:00:00:00:00:02'));
    expect(again.result.code).toBe(RadiusCode.AccessAccept);
    expect([again.statements, again.transactions]).toEqual([1, 0]);
    const second = await counted(() => login(v.code, v.code, '02:00:00:00:00:03'));
    expect(second.result.code).toBe(RadiusCode.AccessAccept);
    expect([second.statements, second.transactions]).toEqual([1, 0]);
  });

  it('a repeat login of a bound device seen lately writes nothing: no row locked, nothing updated', async () => {
    const clock = deps.clock as ManualClock;
    const v = await addVoucher(deps, { hours: 1, devices: 1 });
    const m = '02:00:00:00:00:41';
    expect((await login(v.code, v.code, m)).code).toBe(RadiusCode.AccessAccept);
    // A row's xmin changes when it is updated and its xmax when it is locked (FOR UPDATE), so the
    // pair stays put only if no transaction touched the row.
    const rowVersions = async () => {
      const [r] = await query<{ code: string; device: string; seen: unknown }>(
        deps.db,
        sql`SELECT (SELECT c.xmin::text || '/' || c.xmax::text FROM access_codes c WHERE c.id = ${v.id}) AS code,
                   d.xmin::text || '/' || d.xmax::text AS device, d.last_seen_at AS seen
              FROM access_devices d WHERE d.access_code_id = ${v.id} AND d.mac = ${m}`,
      );
      return r!;
    };
    const before = await rowVersions();
    // The router cache lives 30 s on the test clock: another login reloads it first, so the
    // counts below are the login's own.
    const other = await addVoucher(deps, { hours: 1, devices: 1 });
    const advance = async (ms: number) => {
      clock.advance(ms);
      expect((await login(other.code, other.code, '02:00:00:00:00:43')).code).toBe(RadiusCode.AccessAccept);
    };
    await advance(4 * 60_000);
    const again = await counted(() => login(v.code, v.code, m));
    expect(again.result.code).toBe(RadiusCode.AccessAccept);
    expect(getText(again.result, 'Class')).toBe(`wavu:${v.id}`);
    expect([again.statements, again.transactions]).toEqual([1, 0]);
    expect(await rowVersions()).toEqual(before);
    // A second device on a one-device code is still refused (that decision locks the code).
    expect((await login(v.code, v.code, '02:00:00:00:00:42')).code).toBe(RadiusCode.AccessReject);
    // Past 5 minutes since the last sighting, the login refreshes it (still one statement).
    await advance(2 * 60_000);
    const later = await counted(() => login(v.code, v.code, m));
    expect(later.result.code).toBe(RadiusCode.AccessAccept);
    expect([later.statements, later.transactions]).toEqual([1, 0]);
    const after = await rowVersions();
    expect(after.device).not.toBe(before.device);
    expect(asDate(after.seen).getTime()).toBe(clock.now().getTime());
  });

  it('a wrong code costs the decision and its audit row, and its hit stays counted', async () => {
    const before = await guessCount('guess:radius:%');
    const wrong = await counted(() => login('ZZZZ-ZZZZ-ZZZZ', 'ZZZZ-ZZZZ-ZZZZ', '02:00:00:00:00:09'));
    expect(wrong.result.code).toBe(RadiusCode.AccessReject);
    expect([wrong.statements, wrong.transactions]).toEqual([2, 0]);
    // One hit on the device's counter and one on a shard of the global one.
    expect((await guessCount('guess:radius:%')) - before).toBe(2);
    expect(await guessCount('guess:radius:mac:02:00:00:00:00:09')).toBe(1);
  });

  it('an Accounting Start, Interim and Stop are one statement each, and charge what is new once', async () => {
    const v = await addVoucher(deps, { hours: 1, devices: 1 });
    const m = '02:00:00:00:00:21';
    expect((await login(v.code, v.code, m)).code).toBe(RadiusCode.AccessAccept);
    let id = 2;
    const acct = (type: 'Start' | 'Interim-Update' | 'Stop', seconds: number, session = 'rt-1') =>
      exchange(
        server.acctPort!,
        encodeRequest({
          code: RadiusCode.AccountingRequest,
          identifier: id++,
          attributes: [
            attr('User-Name', v.code),
            attr('Acct-Session-Id', session),
            attr('Acct-Status-Type', type),
            attr('Acct-Session-Time', seconds),
            attr('Acct-Input-Octets', seconds * 100),
            attr('Acct-Output-Octets', seconds * 900),
            attr('Calling-Station-Id', m),
            attr('Class', `wavu:${v.id}`),
          ],
          secret: SECRET,
        }),
      );
    const usedBytes = async () => {
      const [c] = await query<{ used_bytes: number | string }>(
        deps.db,
        sql`SELECT used_bytes FROM access_codes WHERE id = ${v.id}`,
      );
      return Number(c!.used_bytes);
    };
    // A Start for a session we have no row for: inserted with its code, in the same statement.
    const start = await counted(() => acct('Start', 0));
    expect(decodePacket(start.result!).code).toBe(RadiusCode.AccountingResponse);
    expect([start.statements, start.transactions]).toEqual([1, 0]);
    // The session row updated (handing back what it held) and the usage charged to the code.
    const interim = await counted(() => acct('Interim-Update', 60));
    expect(decodePacket(interim.result!).code).toBe(RadiusCode.AccountingResponse);
    expect([interim.statements, interim.transactions]).toEqual([1, 0]);
    expect(await usedBytes()).toBe(60 * 1000);
    // The same totals again (another copy, a new identifier): nothing new is charged.
    const copy = await counted(() => acct('Interim-Update', 60));
    expect([copy.statements, copy.transactions]).toEqual([1, 0]);
    expect(await usedBytes()).toBe(60 * 1000);
    // The first packet of a session is an interim (the usual case when the Start was lost).
    const first = await counted(() => acct('Interim-Update', 30, 'rt-2'));
    expect([first.statements, first.transactions]).toEqual([1, 0]);
    expect(await usedBytes()).toBe(90 * 1000);
    const stop = await counted(() => acct('Stop', 120));
    expect([stop.statements, stop.transactions]).toEqual([1, 0]);
    expect(await usedBytes()).toBe(150 * 1000);
    const [s] = await query<{ status: string; terminate_cause: string; access_code_id: string }>(
      deps.db,
      sql`SELECT status, terminate_cause, access_code_id FROM sessions WHERE acct_session_id = 'rt-1'`,
    );
    expect(s).toEqual({ status: 'closed', terminate_cause: 'Stop', access_code_id: v.id });
  });

  it('usage that uses a code up costs one statement more, which expires it', async () => {
    const v = await addVoucher(deps, { hours: 1, devices: 1, capBytes: 1_000_000 });
    const m = '02:00:00:00:00:31';
    expect((await login(v.code, v.code, m)).code).toBe(RadiusCode.AccessAccept);
    const interim = (bytes: number, identifier: number) =>
      exchange(
        server.acctPort!,
        encodeRequest({
          code: RadiusCode.AccountingRequest,
          identifier,
          attributes: [
            attr('User-Name', v.code),
            attr('Acct-Session-Id', 'rt-cap'),
            attr('Acct-Status-Type', 'Interim-Update'),
            attr('Acct-Session-Time', 10),
            attr('Acct-Output-Octets', bytes),
            attr('Calling-Station-Id', m),
            attr('Class', `wavu:${v.id}`),
          ],
          secret: SECRET,
        }),
      );
    const under = await counted(() => interim(500_000, 40));
    expect([under.statements, under.transactions]).toEqual([1, 0]);
    // Over the cap: the packet's statement says so, and one transaction settles it by
    // recordUsage's rule (the code's row locked, its status changed, the revoke job queued).
    const over = await counted(() => interim(2_000_000, 41));
    expect([over.statements, over.transactions]).toEqual([4, 1]);
    const [c] = await query<{ status: string }>(
      deps.db,
      sql`SELECT status FROM access_codes WHERE id = ${v.id}`,
    );
    expect(c!.status).toBe('expired');
    const [job] = await query<{ n: number | string }>(
      deps.db,
      sql`SELECT count(*) AS n FROM jobs WHERE kind = 'gateway.revoke' AND payload->>'accessCodeId' = ${v.id}`,
    );
    expect(Number(job!.n)).toBe(1);
  });
});
