/**
 * Our Disconnect-Request and CoA-Request against a second real peer: a small NAS-side listener on
 * pyrad (peers/coa_peer.py), which checks the Request Authenticator and the Message-Authenticator
 * with its own code and says what it decided on stdout. Its answers are signed by it, so our
 * client accepting an ACK proves we verify what a foreign implementation signs; answers it spoils
 * on purpose must count as no answer on our side.
 */
import { execFileSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attr, encodeRequest, RadiusCode } from '../../src/protocols/radius/index.ts';
import { DynamicAuthTimeout, sendDynamicRequest } from '../../src/radius/coa-client.ts';
import { extendAlice, freeUdpPort, type Peer, sessionRequest, startPeer } from '../helpers/coa-peer.ts';

const SECRET = 'pyrad-peer-secret-98765';
const PEERS = join(import.meta.dirname, 'peers');

/** The first Python that has pyrad (Debian's python3-pyrad lives beside the system Python). */
const python = ['python3', '/usr/bin/python3'].find((py) => {
  try {
    execFileSync(py, ['-c', 'import pyrad'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
});

interface Verdict {
  code: number;
  id: number;
  user: string | null;
  requestAuthenticator: 'ok' | 'bad';
  messageAuthenticator: 'ok' | 'bad' | 'absent';
  answer: number | null;
  sessionTimeout?: number;
}

let peer: Peer;
let port: number;
const verdicts: Verdict[] = [];
const out = () => peer?.output() ?? '';

/** The peer prints its verdict before it answers (or instead of answering): wait for line n. */
async function verdict(n: number): Promise<Verdict> {
  for (let i = 0; i < 100 && verdicts.length <= n; i++) await new Promise((r) => setTimeout(r, 20));
  const v = verdicts[n];
  if (!v) throw new Error(`peer gave no verdict #${n}:\n${out()}`);
  return v;
}

const send = (
  code: typeof RadiusCode.DisconnectRequest | typeof RadiusCode.CoaRequest,
  user: string,
  timeoutMs = 1000,
) => sessionRequest(port, SECRET, code, user, { timeoutMs, retries: 0 });

describe.skipIf(python === undefined)(
  `Disconnect/CoA against pyrad (${python ? 'real peer' : 'needs python3-pyrad'})`,
  () => {
    beforeAll(async () => {
      port = await freeUdpPort();
      let buf = '';
      peer = await startPeer({
        name: 'pyrad peer',
        command: python!,
        args: [join(PEERS, 'coa_peer.py'), String(port), SECRET, join(PEERS, 'dictionary')],
        onStdout: (chunk) => {
          buf += chunk;
          let nl = buf.indexOf('\n');
          while (nl >= 0) {
            const line = JSON.parse(buf.slice(0, nl)) as Verdict | { ready: number };
            if (!('ready' in line)) verdicts.push(line);
            buf = buf.slice(nl + 1);
            nl = buf.indexOf('\n');
          }
        },
        ready: (o) => o.includes('"ready"'),
        waitMs: 12_000,
      });
    }, 15_000);

    afterAll(() => peer?.stop());

    it('verifies both authenticators of our Disconnect-Request and CoA-Request; we accept its ACK and NAK', async () => {
      expect(await send(RadiusCode.DisconnectRequest, 'alice')).toEqual({ ack: true });
      expect(await verdict(0)).toMatchObject({
        code: RadiusCode.DisconnectRequest,
        user: 'alice',
        requestAuthenticator: 'ok',
        messageAuthenticator: 'ok',
        answer: RadiusCode.DisconnectAck,
      });

      expect(await extendAlice(port, SECRET, 0)).toEqual({ ack: true });
      expect(await verdict(1)).toMatchObject({
        code: RadiusCode.CoaRequest,
        requestAuthenticator: 'ok',
        messageAuthenticator: 'ok',
        answer: RadiusCode.CoaAck,
        sessionTimeout: 600,
      });

      expect(await send(RadiusCode.DisconnectRequest, 'bob')).toEqual({ ack: false, errorCause: 503 });
      expect(await send(RadiusCode.CoaRequest, 'bob')).toEqual({ ack: false, errorCause: 503 });
      expect((await verdict(3)).answer).toBe(RadiusCode.CoaNak);
    });

    it('treats an ACK with a wrong Response Authenticator or Message-Authenticator as no answer', async () => {
      const from = verdicts.length;
      await expect(send(RadiusCode.DisconnectRequest, 'spoil-ra', 400)).rejects.toBeInstanceOf(
        DynamicAuthTimeout,
      );
      await expect(send(RadiusCode.CoaRequest, 'spoil-ma', 400)).rejects.toBeInstanceOf(DynamicAuthTimeout);
      // The peer did verify our requests and did answer: the refusal is ours.
      expect(await verdict(from)).toMatchObject({
        requestAuthenticator: 'ok',
        answer: RadiusCode.DisconnectAck,
      });
      expect(await verdict(from + 1)).toMatchObject({
        messageAuthenticator: 'ok',
        answer: RadiusCode.CoaAck,
      });
    });

    it('drops our packet when it was signed with another secret or carries no Message-Authenticator', async () => {
      const from = verdicts.length;
      await expect(
        sendDynamicRequest({
          host: '127.0.0.1',
          port,
          secret: 'not-the-secret-at-all-000',
          code: RadiusCode.DisconnectRequest,
          attributes: [attr('User-Name', 'alice')],
          timeoutMs: 400,
          retries: 0,
        }),
      ).rejects.toBeInstanceOf(DynamicAuthTimeout);
      expect(await verdict(from)).toMatchObject({
        requestAuthenticator: 'bad',
        messageAuthenticator: 'bad',
        answer: null,
      });

      // Right Request Authenticator, no Message-Authenticator: the peer requires one.
      const without = encodeRequest({
        code: RadiusCode.DisconnectRequest,
        identifier: 9,
        attributes: [attr('User-Name', 'alice')],
        secret: SECRET,
        messageAuthenticator: false,
      });
      const s = createSocket('udp4');
      await new Promise<void>((res) => s.send(without, port, '127.0.0.1', () => res()));
      expect(await verdict(from + 1)).toMatchObject({
        id: 9,
        requestAuthenticator: 'ok',
        messageAuthenticator: 'absent',
        answer: null,
      });
      s.close();
    });
  },
);
