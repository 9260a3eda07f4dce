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
import { query } from '../../src/db/open.ts';
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

  it('a wrong code costs the decision and its audit row, and its hit stays counted', async () => {
    const before = await guessCount('guess:radius:%');
    const wrong = await counted(() => login('ZZZZ-ZZZZ-ZZZZ', 'ZZZZ-ZZZZ-ZZZZ', '02:00:00:00:00:09'));
    expect(wrong.result.code).toBe(RadiusCode.AccessReject);
    expect([wrong.statements, wrong.transactions]).toEqual([2, 0]);
    // One hit on the device's counter and one on a shard of the global one.
    expect((await guessCount('guess:radius:%')) - before).toBe(2);
    expect(await guessCount('guess:radius:mac:02:00:00:00:00:09')).toBe(1);
  });

  it('an Accounting Interim for a known session is two statements in one transaction', async () => {
    const v = await addVoucher(deps, { hours: 1, devices: 1 });
    const m = '02:00:00:00:00:21';
    expect((await login(v.code, v.code, m)).code).toBe(RadiusCode.AccessAccept);
    const acct = (type: 'Start' | 'Interim-Update', seconds: number) =>
      exchange(
        server.acctPort!,
        encodeRequest({
          code: RadiusCode.AccountingRequest,
          identifier: 2,
          attributes: [
            attr('User-Name', v.code),
            attr('Acct-Session-Id', 'rt-1'),
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
    expect(await acct('Start', 0)).not.toBeNull();
    // The session row updated (handing back what it held) and the usage charged to the code.
    const interim = await counted(() => acct('Interim-Update', 60));
    expect(decodePacket(interim.result!).code).toBe(RadiusCode.AccountingResponse);
    expect([interim.statements, interim.transactions]).toEqual([2, 1]);
    const [c] = await query<{ used_bytes: number | string }>(
      deps.db,
      sql`SELECT used_bytes FROM access_codes WHERE id = ${v.id}`,
    );
    expect(Number(c!.used_bytes)).toBe(60 * 1000);
  });
});
