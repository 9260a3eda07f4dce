/**
 * Our Disconnect-Request and CoA-Request against a real peer: FreeRADIUS as a NAS-side listener
 * (`listen { type = coa }`) in a config folder of its own, on a free loopback port. FreeRADIUS
 * checks the Request Authenticator and the Message-Authenticator itself and drops a packet that
 * fails either, so an answer proves both were right; a packet with one of them spoiled must get
 * no answer at all.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attr, encodeRequest, RadiusCode } from '../../src/protocols/radius/index.ts';
import { DynamicAuthTimeout, sendDynamicRequest } from '../../src/radius/coa-client.ts';
import { extendAlice, freeUdpPort, type Peer, sessionRequest, startPeer } from './coa-peer.ts';

const SECRET = 'coa-peer-secret-0123456789';
const RADDB = '/etc/freeradius/3.0';

const missing = (() => {
  try {
    execFileSync('sh', ['-c', 'command -v freeradius'], { stdio: 'ignore' });
    readdirSync(RADDB);
    return null;
  } catch {
    return 'needs Debian freeradius';
  }
})();

let peer: Peer;
let port: number;
let dir: string;
const log = () => peer?.output() ?? '';

/** A copy of Debian's config with only what a CoA listener needs, and our site. */
function writeConfig(d: string, p: number): string {
  const r = join(d, 'raddb');
  cpSync(RADDB, r, { recursive: true, dereference: false });
  rmSync(join(r, 'sites-enabled'), { recursive: true, force: true });
  mkdirSync(join(r, 'sites-enabled'));
  const keep = new Set(['always', 'expr', 'attr_filter', 'unpack', 'utf8', 'exec', 'preprocess']);
  for (const m of readdirSync(join(r, 'mods-enabled'))) {
    if (!keep.has(m)) rmSync(join(r, 'mods-enabled', m), { force: true });
  }
  mkdirSync(join(d, 'log'));
  mkdirSync(join(d, 'run'));
  const conf = readFileSync(join(r, 'radiusd.conf'), 'utf8')
    .replace(/^logdir = .*$/m, `logdir = ${join(d, 'log')}`)
    .replace(/^run_dir = .*$/m, `run_dir = ${join(d, 'run')}`)
    .replace(/^raddbdir = .*$/m, `raddbdir = ${r}`)
    .replace(/^\s*user = freerad/m, '#user = freerad')
    .replace(/^\s*group = freerad/m, '#group = freerad');
  writeFileSync(join(r, 'radiusd.conf'), conf);
  writeFileSync(
    join(r, 'clients.conf'),
    `client wavu {\n  ipaddr = 127.0.0.1\n  secret = ${SECRET}\n  require_message_authenticator = yes\n}\n`,
  );
  writeFileSync(
    join(r, 'sites-enabled', 'coa-nas'),
    `listen {
  type = coa
  ipaddr = 127.0.0.1
  port = ${p}
  virtual_server = coa-nas
}
server coa-nas {
  recv-coa {
    if (&User-Name == "alice" && &Message-Authenticator) {
      ok
    }
    else {
      update reply {
        &Error-Cause := Session-Context-Not-Found
      }
      reject
    }
  }
  send-coa {
    ok
  }
}
`,
  );
  return r;
}

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
    dir = mkdtempSync(join(tmpdir(), 'wavu-coa-'));
    port = await freeUdpPort();
    const raddb = writeConfig(dir, port);
    peer = await startPeer({
      name: 'FreeRADIUS',
      command: 'freeradius',
      args: ['-X', '-d', raddb],
      ready: (o) => /Ready to process requests/.test(o),
      waitMs: 25_000,
    });
  }, 30_000);

  afterAll(() => {
    peer?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const req = (code: typeof RadiusCode.DisconnectRequest | typeof RadiusCode.CoaRequest, user: string) =>
    sessionRequest(port, SECRET, code, user, { timeoutMs: 1000, retries: 1 });

  it('acknowledges our Disconnect-Request and CoA-Request (authenticators verified), and NAKs an unknown session', async () => {
    expect(await req(RadiusCode.DisconnectRequest, 'alice')).toEqual({ ack: true });
    expect(await extendAlice(port, SECRET, 1)).toEqual({ ack: true });
    expect(await req(RadiusCode.DisconnectRequest, 'bob')).toEqual({ ack: false, errorCause: 503 });
    expect(await req(RadiusCode.CoaRequest, 'bob')).toEqual({ ack: false, errorCause: 503 });
    // FreeRADIUS shows the Message-Authenticator it checked among what it received.
    expect(log()).toMatch(/Message-Authenticator = 0x[0-9a-f]{32}/);
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
    expect(log().match(/with invalid Message-Authenticator/g)?.length).toBe(2);
    expect(log()).toMatch(/does not contain required Message-Authenticator/);
  });
});
