/**
 * Accounting under faults, with our own client codec (no radclient needed): a database failure
 * mid-request leaves nothing half-written and is not answered, so the NAS's resend is processed
 * for real; packets arriving out of order never lose or double-count usage.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Deps } from '../../src/app/deps.ts';
import { query } from '../../src/db/open.ts';
import { ManualClock } from '../../src/lib/clock.ts';
import {
  attr,
  decodePacket,
  encodeRequest,
  RadiusCode,
  verifyResponse,
} from '../../src/protocols/radius/index.ts';
import { startRadiusService } from '../../src/radius/service.ts';
import type { RadiusServer } from '../../src/radius/server.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { addRadiusRouter, addVoucher, exchange, makeDeps } from './helpers.ts';

const SECRET = 'fault-secret';
let t: TestDatabase;
let deps: Deps;
let server: RadiusServer;

beforeAll(async () => {
  t = await createTestDatabase();
  deps = makeDeps(t, new ManualClock('2026-04-01T10:00:00Z'));
  await addRadiusRouter(deps, { name: 'hs-f', secret: SECRET, address: '127.0.0.1' });
  server = await startRadiusService(deps, { host: '127.0.0.1', authPort: 0, acctPort: 0 });
});
afterAll(async () => {
  await server?.stop();
  await t?.drop();
});

const acctPacket = (id: number, code: string, session: string, status: string, secs: number, out: number) =>
  encodeRequest({
    code: RadiusCode.AccountingRequest,
    identifier: id,
    attributes: [
      attr('User-Name', code),
      attr('Acct-Session-Id', session),
      attr('Acct-Status-Type', status),
      attr('Acct-Session-Time', secs),
      attr('Acct-Output-Octets', out),
    ],
    secret: SECRET,
  });

const used = async (id: string) => {
  const [c] = await query<{ used_seconds: number; used_bytes: number }>(
    deps.db,
    sql`SELECT used_seconds, used_bytes FROM access_codes WHERE id = ${id}`,
  );
  return [Number(c!.used_seconds), Number(c!.used_bytes)];
};

describe('accounting faults', () => {
  it('a failure inside the transaction writes nothing, sends nothing, and the resend counts once', async () => {
    const v = await addVoucher(deps);
    // The next update of access_codes fails once (a sequence is not rolled back with the failure).
    await deps.db.execute(sql`CREATE SEQUENCE fail_once`);
    await deps.db.execute(
      sql.raw(`CREATE FUNCTION fail_once() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF nextval('fail_once') = 1 THEN RAISE EXCEPTION 'simulated crash'; END IF; RETURN NEW; END $$`),
    );
    await deps.db.execute(
      sql`CREATE TRIGGER fail_once BEFORE UPDATE ON access_codes FOR EACH ROW EXECUTE FUNCTION fail_once()`,
    );
    const pkt = acctPacket(11, v.code, 'f-1', 'Interim-Update', 120, 4000);
    const errorsBefore = server.stats.handlerErrors;
    expect(await exchange(server.acctPort!, pkt, 700)).toBeNull();
    expect(server.stats.handlerErrors).toBe(errorsBefore + 1);
    const rows = await query(deps.db, sql`SELECT 1 FROM sessions WHERE acct_session_id = 'f-1'`);
    expect(rows).toHaveLength(0);
    expect(await used(v.id)).toEqual([0, 0]);
    // The NAS resends the very same packet: processed for real this time, not answered from cache.
    const reply = await exchange(server.acctPort!, pkt, 2000);
    expect(reply).not.toBeNull();
    expect(verifyResponse(decodePacket(reply!), pkt.subarray(4, 20), SECRET).ok).toBe(true);
    expect(await used(v.id)).toEqual([120, 4000]);
    await deps.db.execute(sql`DROP TRIGGER fail_once ON access_codes`);
  });

  it('out of order: Stop before Start and Interims, late Start does not reopen', async () => {
    const v = await addVoucher(deps);
    const send = async (id: number, status: string, secs: number, out: number) =>
      expect(
        await exchange(server.acctPort!, acctPacket(id, v.code, 'o-1', status, secs, out), 2000),
      ).not.toBeNull();
    await send(1, 'Interim-Update', 300, 3000);
    await send(2, 'Stop', 400, 5000);
    await send(3, 'Interim-Update', 200, 1000);
    await send(4, 'Start', 0, 0);
    expect(await used(v.id)).toEqual([400, 5000]);
    const [s] = await query<{ status: string; session_seconds: number }>(
      deps.db,
      sql`SELECT status, session_seconds FROM sessions WHERE acct_session_id = 'o-1'`,
    );
    expect(s).toMatchObject({ status: 'closed' });
    expect(Number(s!.session_seconds)).toBe(400);
  });

  it('a resent Stop keeps the first stop time and cause', async () => {
    const v = await addVoucher(deps);
    const stop = (id: number, cause: number) =>
      encodeRequest({
        code: RadiusCode.AccountingRequest,
        identifier: id,
        attributes: [
          attr('User-Name', v.code),
          attr('Acct-Session-Id', 'rs-1'),
          attr('Acct-Status-Type', 'Stop'),
          attr('Acct-Session-Time', 50),
          attr('Acct-Terminate-Cause', cause),
        ],
        secret: SECRET,
      });
    expect(await exchange(server.acctPort!, stop(1, 1), 2000)).not.toBeNull();
    const first = await query<{ stopped_at: unknown; terminate_cause: string }>(
      deps.db,
      sql`SELECT stopped_at, terminate_cause FROM sessions WHERE acct_session_id = 'rs-1'`,
    );
    (deps.clock as ManualClock).advance(30_000);
    expect(await exchange(server.acctPort!, stop(2, 5), 2000)).not.toBeNull();
    const again = await query<{ stopped_at: unknown; terminate_cause: string }>(
      deps.db,
      sql`SELECT stopped_at, terminate_cause FROM sessions WHERE acct_session_id = 'rs-1'`,
    );
    expect(again).toEqual(first);
    expect(again[0]!.terminate_cause).toBe('User-Request');
    expect(await used(v.id)).toEqual([50, 0]);
  });
});
