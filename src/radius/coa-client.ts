/**
 * Dynamic Authorization client (RFC 5176): send a Disconnect-Request or CoA-Request to a NAS and
 * wait for its ACK/NAK. Retransmits the identical packet on timeout (same identifier, so the NAS
 * can recognise the duplicate); replies that do not verify with the secret are ignored.
 */
import { randomInt } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { isIP } from 'node:net';
import {
  decodePacket,
  encodeRequest,
  getInt,
  type RadiusAttribute,
  RadiusCode,
  verifyResponse,
} from '../protocols/radius/index.ts';

export interface DynamicRequest {
  host: string;
  port: number;
  secret: string;
  code: typeof RadiusCode.DisconnectRequest | typeof RadiusCode.CoaRequest;
  attributes: RadiusAttribute[];
  timeoutMs?: number;
  retries?: number;
}

export type DynamicResult = { ack: true } | { ack: false; errorCause: number | null };

export class DynamicAuthTimeout extends Error {
  override name = 'DynamicAuthTimeout';
}

export async function sendDynamicRequest(o: DynamicRequest): Promise<DynamicResult> {
  const identifier = randomInt(256);
  const packet = encodeRequest({ code: o.code, identifier, attributes: o.attributes, secret: o.secret });
  const requestAuth = packet.subarray(4, 20);
  const sock = createSocket(isIP(o.host) === 6 ? 'udp6' : 'udp4');
  const timeoutMs = o.timeoutMs ?? 2_000;
  const attempts = 1 + (o.retries ?? 2);
  try {
    return await new Promise<DynamicResult>((resolve, reject) => {
      let sent = 0;
      let timer: NodeJS.Timeout | undefined;
      const send = () => {
        if (sent >= attempts) {
          reject(new DynamicAuthTimeout(`no answer from ${o.host}:${o.port} after ${attempts} tries`));
          return;
        }
        sent++;
        sock.send(packet, o.port, o.host, (err) => {
          if (err) reject(err);
        });
        timer = setTimeout(send, timeoutMs);
      };
      sock.on('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
      sock.on('message', (msg) => {
        let resp: ReturnType<typeof decodePacket>;
        try {
          resp = decodePacket(msg);
        } catch {
          return;
        }
        if (resp.identifier !== identifier || !verifyResponse(resp, requestAuth, o.secret).ok) return;
        const ackCode =
          o.code === RadiusCode.DisconnectRequest ? RadiusCode.DisconnectAck : RadiusCode.CoaAck;
        const nakCode = ackCode + 1;
        if (resp.code !== ackCode && resp.code !== nakCode) return;
        clearTimeout(timer);
        resolve(
          resp.code === ackCode
            ? { ack: true }
            : { ack: false, errorCause: getInt(resp, 'Error-Cause') ?? null },
        );
      });
      send();
    });
  } finally {
    sock.close();
  }
}
