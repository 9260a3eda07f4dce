/**
 * The UDP transport on its own (handlers supplied here): overload protection, and a retransmission
 * of a request still in hand waits for it instead of running the handler twice.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Deps } from '../../src/app/deps.ts';
import { ManualClock } from '../../src/lib/clock.ts';
import { attr, decodePacket, encodeRequest, getText, RadiusCode } from '../../src/protocols/radius/index.ts';
import { NasDirectory } from '../../src/radius/nas.ts';
import { type RadiusReply, type RadiusServer, startRadiusServer } from '../../src/radius/server.ts';
import { silentLog } from '../helpers/app.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { addRadiusRouter, exchange, makeDeps } from './helpers.ts';

const SECRET = 'transport-secret';
let t: TestDatabase;
let deps: Deps;
let server: RadiusServer;
let calls = 0;
let release: () => void = () => {};
let gate = Promise.resolve();

beforeAll(async () => {
  t = await createTestDatabase();
  deps = makeDeps(t, new ManualClock());
  await addRadiusRouter(deps, { name: 'tr', secret: SECRET, address: '127.0.0.1' });
  const hold = async (): Promise<RadiusReply> => {
    calls++;
    await gate;
    return { code: RadiusCode.AccessReject, attributes: [attr('Reply-Message', `call ${calls}`)] };
  };
  server = await startRadiusServer({
    log: silentLog(),
    nas: new NasDirectory(deps),
    handlers: { access: hold, accounting: hold },
    host: '127.0.0.1',
    authPort: 0,
    acctPort: null,
    maxInFlight: 2,
  });
});
afterAll(async () => {
  await server?.stop();
  await t?.drop();
});

/** Wait until a condition holds (polling; the test timeout bounds it). */
async function until(cond: () => boolean) {
  while (!cond()) await new Promise((r) => setTimeout(r, 10));
}

const request = (id: number) =>
  encodeRequest({
    code: RadiusCode.AccessRequest,
    identifier: id,
    attributes: [attr('User-Name', 'x')],
    secret: SECRET,
  });

describe('RADIUS transport', () => {
  it('drops new requests beyond the in-flight limit; a retransmission waits for the first copy', async () => {
    gate = new Promise<void>((r) => {
      release = r;
    });
    const a = request(1);
    const pending = [exchange(server.authPort!, a, 3000, 0), exchange(server.authPort!, request(2), 3000)];
    await until(() => calls === 2);
    // A third request while two are in hand: dropped.
    expect(await exchange(server.authPort!, request(3), 300)).toBeNull();
    expect(server.stats.overloaded).toBe(1);
    release();
    const [ra, rb] = await Promise.all(pending);
    expect(decodePacket(ra!).code).toBe(RadiusCode.AccessReject);
    expect(decodePacket(rb!).code).toBe(RadiusCode.AccessReject);
    expect(calls).toBe(2);
  });

  it('answers a retransmission that arrives while the first copy is still being handled, once', async () => {
    gate = new Promise<void>((r) => {
      release = r;
    });
    const before = calls;
    const { createSocket } = await import('node:dgram');
    const sock = createSocket('udp4');
    await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
    const replies: Buffer[] = [];
    const two = new Promise<void>((resolve) =>
      sock.on('message', (m) => {
        replies.push(m);
        if (replies.length === 2) resolve();
      }),
    );
    const p = request(9);
    const dups = server.stats.duplicates;
    sock.send(p, server.authPort!, '127.0.0.1');
    await until(() => calls - before === 1);
    sock.send(p, server.authPort!, '127.0.0.1');
    await until(() => server.stats.duplicates === dups + 1);
    release();
    await two;
    sock.close();
    expect(calls - before).toBe(1);
    expect(replies[0]!.equals(replies[1]!)).toBe(true);
    expect(getText(decodePacket(replies[0]!), 'Reply-Message')).toBe(`call ${before + 1}`);
  });
});
