/**
 * Revoke end to end on a radius-mode router: a voucher logs in through our RADIUS server, its
 * session is accounted, staff revoke the code, and the gateway.revoke job run by the worker sends
 * a Disconnect-Request that a stand-in NAS verifies with our codec. Also an admin kick
 * (gateway.disconnect). No radclient needed.
 */
import { createSocket } from 'node:dgram';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { revokeCode } from '../../src/access/revoke.ts';
import { type App, createApp } from '../../src/app/run.ts';
import { query } from '../../src/db/open.ts';
import { OffsetClock } from '../../src/lib/clock.ts';
import {
  attr,
  decodePacket,
  encodeRequest,
  encodeResponse,
  getIp,
  getText,
  type RadiusPacket,
  RadiusCode,
  verifyRequest,
} from '../../src/protocols/radius/index.ts';
import { startRadiusService } from '../../src/radius/service.ts';
import type { RadiusServer } from '../../src/radius/server.ts';
import { silentLog, testConfig } from '../helpers/app.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { addRadiusRouter, addVoucher, exchange } from './helpers.ts';
import { SYSTEM } from '../../src/audit/index.ts';
import { DISCONNECT_JOB } from '../../src/gateways/job-kinds.ts';

const SECRET = 'e2e-secret';
let t: TestDatabase;
let app: App;
let server: RadiusServer;
const received: { packet: RadiusPacket; valid: boolean }[] = [];
const nas = createSocket('udp4');

async function until(cond: () => boolean | Promise<boolean>) {
  for (let i = 0; i < 1000; i++) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('condition not met');
}

beforeAll(async () => {
  t = await createTestDatabase();
  await new Promise<void>((r) => nas.bind(0, '127.0.0.1', () => r()));
  nas.on('message', (msg, rinfo) => {
    const packet = decodePacket(msg);
    const check = verifyRequest(packet, SECRET);
    received.push({ packet, valid: check.ok && check.messageAuthenticator === 'valid' });
    nas.send(
      encodeResponse({ code: RadiusCode.DisconnectAck, request: packet, attributes: [], secret: SECRET }),
      rinfo.port,
      rinfo.address,
    );
  });
  app = await createApp({
    config: testConfig(),
    roles: ['worker'],
    log: silentLog(),
    database: t.database,
    clock: new OffsetClock(),
    workerOptions: { pollMs: 50 },
  });
  await addRadiusRouter(app.deps, {
    name: 'hs-e2e',
    secret: SECRET,
    address: '127.0.0.1',
    coaPort: nas.address().port,
  });
  server = await startRadiusService(app.deps, { host: '127.0.0.1', authPort: 0, acctPort: 0 });
});
afterAll(async () => {
  await server?.stop();
  await app?.stop();
  nas.close();
  await t?.drop();
});

async function loginAndStart(code: string, mac: string, ip: string, acctSessionId: string) {
  const auth = encodeRequest({
    code: RadiusCode.AccessRequest,
    identifier: 1,
    attributes: [attr('User-Name', code), attr('User-Password', code), attr('Calling-Station-Id', mac)],
    secret: SECRET,
  });
  const accept = decodePacket((await exchange(server.authPort!, auth))!);
  expect(accept.code).toBe(RadiusCode.AccessAccept);
  const start = encodeRequest({
    code: RadiusCode.AccountingRequest,
    identifier: 2,
    attributes: [
      attr('User-Name', code),
      attr('Acct-Status-Type', 'Start'),
      attr('Acct-Session-Id', acctSessionId),
      attr('Calling-Station-Id', mac),
      attr('Framed-IP-Address', ip),
      attr('Class', accept.attributes.find((a) => a.type === 25)!.value),
    ],
    secret: SECRET,
  });
  expect(await exchange(server.acctPort!, start)).not.toBeNull();
}

const sessionStatus = async (id: string) =>
  (
    await query<{ status: string; terminate_cause: string | null }>(
      app.deps.db,
      sql`SELECT status, terminate_cause FROM sessions WHERE acct_session_id = ${id}`,
    )
  )[0];

describe('revoke on a radius-mode router', () => {
  it('staff revoke → gateway.revoke job → signed Disconnect-Request → session closed', async () => {
    const v = await addVoucher(app.deps, { hours: 24 });
    await loginAndStart(v.code, 'AA:BB:CC:EE:00:01', '10.5.50.21', 'e2e-1');
    received.length = 0;
    await revokeCode(app.deps, { accessCodeId: v.id, actor: SYSTEM });
    await until(async () => (await sessionStatus('e2e-1'))?.status === 'closed');
    expect(received).toHaveLength(1);
    const { packet, valid } = received[0]!;
    expect(packet.code).toBe(RadiusCode.DisconnectRequest);
    expect(valid).toBe(true);
    expect(getText(packet, 'User-Name')).toBe(v.code);
    expect(getText(packet, 'Acct-Session-Id')).toBe('e2e-1');
    expect(getIp(packet, 'Framed-IP-Address')).toBe('10.5.50.21');
    expect(await sessionStatus('e2e-1')).toEqual({ status: 'closed', terminate_cause: 'Admin-Reset' });
    // And the code no longer logs in.
    const again = encodeRequest({
      code: RadiusCode.AccessRequest,
      identifier: 3,
      attributes: [attr('User-Name', v.code), attr('User-Password', v.code)],
      secret: SECRET,
    });
    expect(decodePacket((await exchange(server.authPort!, again))!).code).toBe(RadiusCode.AccessReject);
  });

  it('admin kick → gateway.disconnect job → Disconnect-Request for that one session', async () => {
    const v = await addVoucher(app.deps, { hours: 24, devices: 2 });
    await loginAndStart(v.code, 'AA:BB:CC:EE:00:02', '10.5.50.22', 'e2e-2');
    await loginAndStart(v.code, 'AA:BB:CC:EE:00:03', '10.5.50.23', 'e2e-3');
    const [s] = await query<{ id: string }>(
      app.deps.db,
      sql`SELECT id FROM sessions WHERE acct_session_id = 'e2e-2'`,
    );
    received.length = 0;
    await app.deps.enqueue(app.deps.db, DISCONNECT_JOB, { sessionId: s!.id });
    await until(async () => (await sessionStatus('e2e-2'))?.status === 'closed');
    expect(received.map((r) => getText(r.packet, 'Acct-Session-Id'))).toEqual(['e2e-2']);
    expect(received[0]!.valid).toBe(true);
    expect((await sessionStatus('e2e-3'))!.status).toBe('active');
  });
});
