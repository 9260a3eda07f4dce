/**
 * Revoke and kick on a radius-mode router: the adapter sends a Disconnect-Request to the NAS's CoA
 * port. A UDP listener stands in for the NAS and checks the packet with our codec; radclient is
 * not needed here.
 */
import { createSocket } from 'node:dgram';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Deps } from '../../src/app/deps.ts';
import { createApp } from '../../src/app/run.ts';
import { query } from '../../src/db/open.ts';
import { ManualClock } from '../../src/lib/clock.ts';
import {
  attr,
  decodePacket,
  encodeRequest,
  getIp,
  getText,
  RadiusCode,
  verifyRequest,
  verifyResponse,
} from '../../src/protocols/radius/index.ts';
import { RadiusGatewayAdapter, type RadiusRouter, radiusRoutersForCode } from '../../src/radius/adapter.ts';
import { recordAccounting } from '../../src/radius/accounting.ts';
import { DynamicAuthTimeout } from '../../src/radius/coa-client.ts';
import { silentLog, testConfig } from '../helpers/app.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { addRadiusRouter, addVoucher, exchange, FakeNas, makeDeps } from './helpers.ts';

const SECRET = 'coa-secret';
const clock = new ManualClock('2026-03-01T08:00:00Z');
let t: TestDatabase;
let deps: Deps;

let nas: FakeNas;
let router: RadiusRouter;

async function openSession(
  accessCodeId: string,
  acctSessionId: string,
  username: string,
  mac = 'AA:BB:CC:DD:00:01',
) {
  await recordAccounting(deps, {
    routerId: router.id,
    status: 1,
    acctSessionId,
    username,
    mac,
    ip: '10.5.50.9',
    classCodeId: accessCodeId,
    sessionSeconds: 0,
    inputBytes: 0,
    outputBytes: 0,
    delaySeconds: 0,
    terminateCause: null,
  });
}

const status = async (acctSessionId: string) =>
  (
    await query<{ status: string; terminate_cause: string | null }>(
      deps.db,
      sql`SELECT status, terminate_cause FROM sessions WHERE acct_session_id = ${acctSessionId}`,
    )
  )[0];

beforeAll(async () => {
  t = await createTestDatabase();
  deps = makeDeps(t, clock);
  nas = new FakeNas(SECRET);
  await nas.start();
  const id = await addRadiusRouter(deps, {
    name: 'hs-coa',
    secret: SECRET,
    address: '127.0.0.1',
    coaPort: nas.port,
  });
  const [row] = await query<{ radius_secret_sealed: string }>(
    deps.db,
    sql`SELECT radius_secret_sealed FROM routers WHERE id = ${id}`,
  );
  router = {
    id,
    name: 'hs-coa',
    host: '127.0.0.1',
    nasAddress: '127.0.0.1',
    coaPort: nas.port,
    radiusSecretSealed: row!.radius_secret_sealed,
  };
});
afterAll(async () => {
  nas?.stop();
  await t?.drop();
});

describe('radius-mode gateway adapter', () => {
  it('revoke sends a correctly signed Disconnect-Request for every live session of the code', async () => {
    const v = await addVoucher(deps, { devices: 2 });
    await openSession(v.id, 'dm-1', v.code);
    await openSession(v.id, 'dm-2', v.code, 'AA:BB:CC:DD:00:02');
    nas.received = [];
    nas.answer = 'ack';
    const adapter = new RadiusGatewayAdapter(deps, router, { timeoutMs: 300, retries: 1 });
    await adapter.grant({ accessCodeId: v.id }); // a no-op: the NAS asks us
    expect(nas.received).toHaveLength(0);
    expect((await radiusRoutersForCode(deps, v.id)).map((x) => x.id)).toEqual([router.id]);
    await adapter.revoke(v.id, v.code);
    expect(nas.received).toHaveLength(2);
    for (const { packet, valid } of nas.received) {
      expect(packet.code).toBe(RadiusCode.DisconnectRequest);
      // Request Authenticator = MD5 over the packet with the shared secret; M-A valid too.
      expect(valid).toBe(true);
      expect(verifyRequest(packet, 'wrong-secret').ok).toBe(false);
      expect(getText(packet, 'User-Name')).toBe(v.code);
      expect(getIp(packet, 'Framed-IP-Address')).toBe('10.5.50.9');
      expect(getText(packet, 'Calling-Station-Id')).toMatch(/^AA:BB:CC:DD:00:0[12]$/);
    }
    expect(nas.received.map((x) => getText(x.packet, 'Acct-Session-Id')).sort()).toEqual(['dm-1', 'dm-2']);
    expect(await status('dm-1')).toEqual({ status: 'closed', terminate_cause: 'Admin-Reset' });
    expect((await adapter.listActive()).map((s) => s.id)).not.toContain('dm-1');
    expect(await radiusRoutersForCode(deps, v.id)).toEqual([]);
    // Revoking again finds nothing live and sends nothing.
    nas.received = [];
    await adapter.revoke(v.id);
    expect(nas.received).toHaveLength(0);
  });

  it('disconnect: NAK "session not found" closes our row; another NAK or silence fails (job retries)', async () => {
    const v = await addVoucher(deps);
    const adapter = new RadiusGatewayAdapter(deps, router, { timeoutMs: 200, retries: 1 });
    await openSession(v.id, 'dm-3', v.code);
    const ref = { acctSessionId: 'dm-3', username: v.code, mac: 'AA:BB:CC:DD:00:01', ip: '10.5.50.9' };
    nas.answer = 'nak-other';
    await expect(adapter.disconnect(ref)).rejects.toThrow(/refused/);
    expect((await status('dm-3'))!.status).toBe('active');
    nas.answer = 'silent';
    nas.received = [];
    await expect(adapter.disconnect(ref)).rejects.toBeInstanceOf(DynamicAuthTimeout);
    // One try plus one retransmission of the very same bytes.
    expect(nas.received).toHaveLength(2);
    expect(nas.received[0]!.packet.raw.equals(nas.received[1]!.packet.raw)).toBe(true);
    nas.answer = 'nak-gone';
    await adapter.disconnect(ref);
    expect((await status('dm-3'))!.status).toBe('closed');
  });

  it('health reports when the router was last heard from', async () => {
    const adapter = new RadiusGatewayAdapter(deps, router);
    expect((await adapter.health()).ok).toBe(false);
    await deps.db.execute(sql`UPDATE routers SET last_seen_at = ${clock.now()} WHERE id = ${router.id}`);
    const h = await adapter.health();
    expect(h.ok).toBe(true);
    expect(h.lastSeenAt?.toISOString()).toBe(clock.now().toISOString());
  });

  it('CoA-Request verifies and is acknowledged', async () => {
    nas.answer = 'ack';
    const adapter = new RadiusGatewayAdapter(deps, router, { timeoutMs: 300 });
    const r = await adapter.changeAuthorization({ acctSessionId: 'c1', username: 'u' }, [
      attr('Session-Timeout', 60),
    ]);
    expect(r).toBe('ack');
    const last = nas.received.at(-1)!;
    expect(last.packet.code).toBe(RadiusCode.CoaRequest);
    expect(last.valid).toBe(true);
  });
});

describe('radius role', () => {
  it('the worker runs the stale-session sweeper on its schedule', async () => {
    const v = await addVoucher(deps);
    await openSession(v.id, 'stale-1', v.code, 'AA:BB:CC:DD:00:09');
    clock.advance(16 * 60_000);
    const app = await createApp({
      config: testConfig(),
      roles: ['worker'],
      log: silentLog(),
      database: t.database,
      clock,
      workerOptions: { pollMs: 20 },
    });
    try {
      for (let i = 0; i < 500 && (await status('stale-1'))!.status === 'active'; i++)
        await new Promise((r) => setTimeout(r, 20));
    } finally {
      await app.stop();
    }
    expect(await status('stale-1')).toEqual({ status: 'closed', terminate_cause: 'Stale' });
    const jobs = await query<{ status: string }>(
      deps.db,
      sql`SELECT status FROM jobs WHERE kind = 'radius.sweep-sessions'`,
    );
    expect(jobs.map((j) => j.status)).toContain('done');
  });

  it('`wavu radius` starts the server on the configured ports and answers Status-Server', async () => {
    const free = async () => {
      const s = createSocket('udp4');
      await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
      const p = s.address().port;
      s.close();
      return p;
    };
    const [authPort, acctPort] = [await free(), await free()];
    const app = await createApp({
      config: testConfig({ RADIUS_AUTH_PORT: String(authPort), RADIUS_ACCT_PORT: String(acctPort) }),
      roles: ['radius'],
      log: silentLog(),
      database: t.database,
    });
    try {
      for (const port of [authPort, acctPort]) {
        const st = encodeRequest({
          code: RadiusCode.StatusServer,
          identifier: 5,
          attributes: [],
          secret: SECRET,
        });
        const raw = await exchange(port, st, 2000);
        expect(raw, `port ${port}`).not.toBeNull();
        expect(verifyResponse(decodePacket(raw!), st.subarray(4, 20), SECRET).ok).toBe(true);
      }
    } finally {
      await app.stop();
    }
  });
});
