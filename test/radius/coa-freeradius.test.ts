/**
 * Our Disconnect-Request and CoA-Request against a real peer: FreeRADIUS as a NAS-side listener
 * (`listen { type = coa }`) in a config folder of its own, on a free loopback port. FreeRADIUS
 * checks the Request Authenticator and the Message-Authenticator itself and drops a packet that
 * fails either, so an answer proves both were right; a packet with one of them spoiled must get
 * no answer at all.
 */
import { createHash } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attr, encodeRequest, RadiusCode } from '../../src/protocols/radius/index.ts';
import { DynamicAuthTimeout, sendDynamicRequest } from '../../src/radius/coa-client.ts';
import {
  type FreeradiusCoaPeer,
  freeradiusMissing as missing,
  startFreeradiusCoa,
} from '../helpers/freeradius-coa.ts';

const SECRET = 'coa-peer-secret-0123456789';

let peer: FreeradiusCoaPeer;
let port: number;

/** Send raw bytes, wait briefly for any answer. */
async function sendRaw(packet: Buffer, waitMs = 800): Promise<Buffer | null> {
  const s = createSocket('udp4');
  try {
    return await new Promise((resolve) => {
      const timer = setTimeout(() => resolve(null), waitMs);
      s.on('message', (m) => {
        clearTimeout(timer);
        resolve(m);
      });
      s.send(packet, port, '127.0.0.1');
    });
  } finally {
    s.close();
  }
}

/** Recompute the request authenticator (RFC 5176: MD5 over the packet with 16 zeros, then the secret). */
function resign(packet: Buffer): Buffer {
  const p = Buffer.from(packet);
  Buffer.alloc(16).copy(p, 4);
  createHash('md5').update(p).update(SECRET).digest().copy(p, 4);
  return p;
}

describe.skipIf(missing !== null)(`Disconnect/CoA against FreeRADIUS (${missing ?? 'real peer'})`, () => {
  beforeAll(async () => {
    peer = await startFreeradiusCoa({
      secret: SECRET,
      recvCoa: `    if (&User-Name == "alice" && &Message-Authenticator) {
      ok
    }
    else {
      update reply {
        &Error-Cause := Session-Context-Not-Found
      }
      reject
    }`,
    });
    port = peer.port;
  }, 30_000);

  afterAll(() => peer?.stop());

  const req = (code: typeof RadiusCode.DisconnectRequest | typeof RadiusCode.CoaRequest, user: string) =>
    sendDynamicRequest({
      host: '127.0.0.1',
      port,
      secret: SECRET,
      code,
      attributes: [attr('User-Name', user), attr('Acct-Session-Id', 'S1')],
      timeoutMs: 1000,
      retries: 1,
    });

  it('acknowledges our Disconnect-Request and CoA-Request (authenticators verified), and NAKs an unknown session', async () => {
    expect(await req(RadiusCode.DisconnectRequest, 'alice')).toEqual({ ack: true });
    expect(
      await sendDynamicRequest({
        host: '127.0.0.1',
        port,
        secret: SECRET,
        code: RadiusCode.CoaRequest,
        attributes: [attr('User-Name', 'alice'), attr('Session-Timeout', 600)],
        timeoutMs: 1000,
        retries: 1,
      }),
    ).toEqual({ ack: true });
    expect(await req(RadiusCode.DisconnectRequest, 'bob')).toEqual({ ack: false, errorCause: 503 });
    expect(await req(RadiusCode.CoaRequest, 'bob')).toEqual({ ack: false, errorCause: 503 });
    // FreeRADIUS shows the Message-Authenticator it checked among what it received.
    expect(peer.log()).toMatch(/Message-Authenticator = 0x[0-9a-f]{32}/);
  });

  it('drops a request with a wrong secret, a spoiled Message-Authenticator or none at all', async () => {
    await expect(
      sendDynamicRequest({
        host: '127.0.0.1',
        port,
        secret: 'not-the-secret-at-all-000',
        code: RadiusCode.DisconnectRequest,
        attributes: [attr('User-Name', 'alice')],
        timeoutMs: 500,
        retries: 0,
      }),
    ).rejects.toBeInstanceOf(DynamicAuthTimeout);

    const good = encodeRequest({
      code: RadiusCode.DisconnectRequest,
      identifier: 7,
      attributes: [attr('User-Name', 'alice')],
      secret: SECRET,
    });
    const answer = await sendRaw(good);
    expect(answer?.[0]).toBe(RadiusCode.DisconnectAck);

    // Message-Authenticator is our first attribute (type 80, length 18): flip one bit of its value,
    // keep the request authenticator right, so only the Message-Authenticator is wrong.
    expect(good[20]).toBe(80);
    const spoiled = Buffer.from(good);
    spoiled[22] = spoiled[22]! ^ 0x01;
    spoiled.writeUInt8(8, 1);
    expect(await sendRaw(resign(spoiled))).toBeNull();

    const without = encodeRequest({
      code: RadiusCode.DisconnectRequest,
      identifier: 9,
      attributes: [attr('User-Name', 'alice')],
      secret: SECRET,
      messageAuthenticator: false,
    });
    // The client entry says require_message_authenticator = yes: dropped without an answer.
    expect(await sendRaw(without)).toBeNull();
    // FreeRADIUS says why: the wrong secret and the spoiled value fail its Message-Authenticator
    // check, the last one has none.
    expect(peer.log().match(/with invalid Message-Authenticator/g)?.length).toBe(2);
    expect(peer.log()).toMatch(/does not contain required Message-Authenticator/);
  });
});
