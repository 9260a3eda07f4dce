/**
 * The RADIUS UDP transport: decode, find the NAS, check the secret, answer retransmissions from
 * the duplicate cache, hand the request to a handler, sign the reply. Business rules live in the
 * handlers (access-request.ts, accounting.ts); this file only decides what to drop.
 *
 * Dropped silently (and counted/logged): malformed packets, unknown NAS, a known NAS-Identifier
 * from an address not allowed for that router, wrong secret, a code not
 * served on that port, and Access-Request/Status-Server without Message-Authenticator when the
 * NAS requires it (the default). Dropping rather than rejecting is deliberate: any signed reply
 * to an unauthenticated request is material for the BlastRADIUS forgery, and the NAS reports a
 * timeout the operator can see.
 */
import { createSocket, type Socket } from 'node:dgram';
import type { Logger } from 'pino';
import {
  decodePacket,
  encodeResponse,
  getText,
  type RadiusAttribute,
  RadiusCode,
  type RadiusPacket,
  verifyRequest,
} from '../protocols/radius/index.ts';
import { DuplicateCache } from './dedupe.ts';
import { type Nas, type NasDirectory, plainAddress } from './nas.ts';

export interface RadiusRequest {
  nas: Nas;
  packet: RadiusPacket;
  source: { address: string; port: number };
}

/** What to send back; `null` from a handler means drop (the NAS will retry). */
export interface RadiusReply {
  code: number;
  attributes: RadiusAttribute[];
}

export interface RadiusHandlers {
  access(req: RadiusRequest): Promise<RadiusReply | null>;
  accounting(req: RadiusRequest): Promise<RadiusReply | null>;
}

export interface RadiusStats {
  received: number;
  answered: number;
  duplicates: number;
  malformed: number;
  unknownNas: number;
  /** A router's NAS-Identifier, from an address not allowed for it. */
  sourceNotAllowed: number;
  badAuthenticator: number;
  missingMessageAuthenticator: number;
  wrongPort: number;
  handlerErrors: number;
  /** Dropped because too many requests were already being handled (the NAS retries). */
  overloaded: number;
}

export interface RadiusServer {
  authPort: number | null;
  acctPort: number | null;
  stats: RadiusStats;
  stop(): Promise<void>;
}

export interface RadiusServerOptions {
  log: Logger;
  nas: NasDirectory;
  handlers: RadiusHandlers;
  host: string;
  /** 0 = ephemeral (tests); null = disabled. */
  authPort: number | null;
  acctPort: number | null;
  dedupe?: DuplicateCache;
  /**
   * Requests handled at once; beyond this new ones are dropped rather than queued without bound
   * behind a slow database (the NAS retransmits, and retransmissions of a request already in
   * hand wait for it).
   */
  maxInFlight?: number;
}

const PROXY_STATE = 33;

export async function startRadiusServer(o: RadiusServerOptions): Promise<RadiusServer> {
  const stats: RadiusStats = {
    received: 0,
    answered: 0,
    duplicates: 0,
    malformed: 0,
    unknownNas: 0,
    sourceNotAllowed: 0,
    badAuthenticator: 0,
    missingMessageAuthenticator: 0,
    wrongPort: 0,
    handlerErrors: 0,
    overloaded: 0,
  };
  const maxInFlight = o.maxInFlight ?? 512;
  let inFlight = 0;
  const dedupe = o.dedupe ?? new DuplicateCache();
  const warned = new Map<string, number>();
  /** At most one warning per kind and source a minute: a misconfigured NAS retries a lot. */
  const warnOnce = (key: string, obj: object, msg: string) => {
    const now = performance.now();
    if ((warned.get(key) ?? Number.NEGATIVE_INFINITY) > now - 60_000) return;
    if (warned.size > 10_000) warned.clear();
    warned.set(key, now);
    o.log.warn(obj, msg);
  };

  async function handleDatagram(kind: 'auth' | 'acct', msg: Buffer, src: { address: string; port: number }) {
    stats.received++;
    let packet: RadiusPacket;
    try {
      packet = decodePacket(msg);
    } catch (e) {
      stats.malformed++;
      o.log.debug({ err: e, from: src.address }, 'malformed RADIUS packet dropped');
      return null;
    }
    const allowed =
      packet.code === RadiusCode.StatusServer ||
      (kind === 'auth'
        ? packet.code === RadiusCode.AccessRequest
        : packet.code === RadiusCode.AccountingRequest);
    if (!allowed) {
      stats.wrongPort++;
      warnOnce(
        `port:${src.address}`,
        { from: src.address, code: packet.code, port: kind },
        'RADIUS code not served on this port; dropped',
      );
      return null;
    }
    const address = plainAddress(src.address);
    const nas = await o.nas.find(address, getText(packet, 'NAS-Identifier'));
    const named = nas ? undefined : o.nas.byIdentifier(getText(packet, 'NAS-Identifier'));
    if (named) {
      stats.sourceNotAllowed++;
      warnOnce(
        `source:${named.routerId}:${address}`,
        { router: named.name, from: address, registered: named.address },
        `RADIUS packet naming router ${named.name} from an address not allowed for it dropped (if the router really moved: wavu routers update ${named.name} --address IP, or --allow-from NETWORK)`,
      );
      return null;
    }
    if (!nas) {
      stats.unknownNas++;
      warnOnce(
        `nas:${address}`,
        { from: address, nasIdentifier: getText(packet, 'NAS-Identifier') },
        'RADIUS packet from an unknown NAS dropped (add the router in radius mode with this address or NAS-Identifier)',
      );
      return null;
    }
    if (nas.address && nas.address !== address)
      warnOnce(
        `moved:${nas.routerId}`,
        { router: nas.name, from: address, registered: nas.address },
        'RADIUS router sends from an address other than the registered one (new public IP?)',
      );
    const check = verifyRequest(packet, nas.secret);
    if (!check.ok) {
      stats.badAuthenticator++;
      warnOnce(
        `auth:${nas.routerId}`,
        { router: nas.name, from: address, reason: check.reason },
        'RADIUS packet failed the shared-secret check (secret mismatch?); dropped',
      );
      return null;
    }
    const needsMa = packet.code === RadiusCode.AccessRequest || packet.code === RadiusCode.StatusServer;
    if (needsMa && nas.requireMessageAuth && check.messageAuthenticator === 'absent') {
      stats.missingMessageAuthenticator++;
      warnOnce(
        `ma:${nas.routerId}`,
        { router: nas.name, from: address },
        'Access-Request without Message-Authenticator dropped (BlastRADIUS protection). On RouterOS 7.15+ set /radius require-message-auth=yes-for-request-resp',
      );
      return null;
    }

    const key = `${nas.routerId}|${address}|${src.port}|${packet.code}|${packet.identifier}|${packet.authenticator.toString('hex')}`;
    const cached = dedupe.get(key);
    if (cached) {
      stats.duplicates++;
      return cached;
    }
    if (inFlight >= maxInFlight) {
      stats.overloaded++;
      warnOnce('overloaded', { inFlight }, 'RADIUS server overloaded: request dropped (the NAS will retry)');
      return null;
    }
    inFlight++;
    const response = answer(kind, { nas, packet, source: { address, port: src.port } }).finally(() => {
      inFlight--;
    });
    dedupe.set(key, response);
    const out = await response;
    // A request we could not answer (database down…) must be retried for real, not from cache.
    if (!out) dedupe.delete(key);
    return out;
  }

  async function answer(kind: 'auth' | 'acct', req: RadiusRequest): Promise<Buffer | null> {
    let reply: RadiusReply | null;
    try {
      if (req.packet.code === RadiusCode.StatusServer)
        reply = {
          code: kind === 'auth' ? RadiusCode.AccessAccept : RadiusCode.AccountingResponse,
          attributes: [],
        };
      else reply = await (kind === 'auth' ? o.handlers.access(req) : o.handlers.accounting(req));
    } catch (e) {
      stats.handlerErrors++;
      o.log.error({ err: e, router: req.nas.name }, 'RADIUS request failed; no reply (the NAS will retry)');
      return null;
    }
    if (!reply) return null;
    // RFC 2865: Proxy-State attributes are copied unchanged, in order, into the reply.
    const proxyState = req.packet.attributes.filter(
      (a) => a.type === PROXY_STATE && a.vendorId === undefined,
    );
    return encodeResponse({
      code: reply.code,
      request: req.packet,
      attributes: [...reply.attributes, ...proxyState],
      secret: req.nas.secret,
    });
  }

  const sockets: Socket[] = [];
  const bind = async (kind: 'auth' | 'acct', port: number | null): Promise<number | null> => {
    if (port === null) return null;
    const sock = createSocket({ type: o.host.includes(':') ? 'udp6' : 'udp4' });
    sock.on('message', (msg, rinfo) => {
      const src = { address: rinfo.address, port: rinfo.port };
      handleDatagram(kind, msg, src).then(
        (out) => {
          if (!out) return;
          stats.answered++;
          sock.send(out, src.port, src.address, (err) => {
            if (err) o.log.debug({ err }, 'RADIUS send failed');
          });
        },
        (e) => {
          stats.handlerErrors++;
          o.log.error({ err: e }, 'RADIUS processing failed');
        },
      );
    });
    sock.on('error', (e) => o.log.error({ err: e, kind }, 'RADIUS socket error'));
    await new Promise<void>((resolve, reject) => {
      sock.once('error', reject);
      sock.bind(port, o.host, () => {
        sock.off('error', reject);
        resolve();
      });
    });
    try {
      // Bursts (a router reboot sends every session's Accounting at once) should queue, not drop.
      sock.setRecvBufferSize(4 * 1024 * 1024);
    } catch {
      // the OS may cap it; the default still works
    }
    sockets.push(sock);
    return sock.address().port;
  };

  try {
    const authPort = await bind('auth', o.authPort);
    const acctPort = await bind('acct', o.acctPort);
    return {
      authPort,
      acctPort,
      stats,
      async stop() {
        await Promise.all(sockets.map((s) => new Promise<void>((r) => s.close(() => r()))));
      },
    };
  } catch (e) {
    for (const s of sockets) s.close();
    throw e;
  }
}
