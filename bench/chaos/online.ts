/**
 * "Online", seen from outside Wavu as a customer's device would see it:
 * - api-mode router: the hotspot user for the code exists on the RouterOS simulator (its REST
 *   list is polled; a user is recognised by its `wavu:<access code id>` comment);
 * - radius-mode router: the device's MAC login (Access-Request, User-Name = MAC, signed with the
 *   router's secret, as MikroTik sends it) is answered Access-Accept by `wavu radius`.
 */
import { createSocket } from 'node:dgram';
import {
  attr,
  decodePacket,
  encodeRequest,
  RadiusCode,
  verifyResponse,
} from '../../src/protocols/radius/index.ts';
import { sleep } from './processes.ts';

/** Polls the router's hotspot users and remembers when each `wavu:` comment first appeared. */
export class RouterWatch {
  /** access code id → first time seen on the router (ms). */
  readonly firstSeen = new Map<string, number>();
  private stopped = false;
  private done: Promise<void> | null = null;

  constructor(
    private readonly restUrl: string,
    private readonly auth: string,
    private readonly everyMs = 250,
  ) {}

  start(): void {
    this.done = (async () => {
      while (!this.stopped) {
        await this.poll().catch(() => {});
        await sleep(this.everyMs);
      }
    })();
  }

  async poll(): Promise<void> {
    const res = await fetch(`${this.restUrl}/ip/hotspot/user?.proplist=comment`, {
      headers: { authorization: `Basic ${Buffer.from(this.auth).toString('base64')}` },
      signal: AbortSignal.timeout(5_000),
    });
    const rows = (await res.json()) as { comment?: string }[];
    const now = Date.now();
    for (const r of rows) {
      const id = r.comment?.startsWith('wavu:') ? r.comment.slice(5) : null;
      if (id && !this.firstSeen.has(id)) this.firstSeen.set(id, now);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.done;
  }
}

/** The router as a RADIUS client: its secret and identity, and the Wavu servers it knows, in order. */
export interface RadiusNas {
  ports: number[];
  secret: string;
  nasIdentifier: string;
}

/**
 * One MAC login: accept, reject, or no answer within `timeoutMs` (the server is down or busy).
 * 3 s is the timeout the setup script gives MikroTik.
 */
export async function macLogin(
  nas: RadiusNas,
  port: number,
  mac: string,
  timeoutMs = 3_000,
): Promise<'accept' | 'reject' | 'timeout'> {
  const sock = createSocket('udp4');
  try {
    await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
    const id = Math.floor(Math.random() * 256);
    const req = encodeRequest({
      code: RadiusCode.AccessRequest,
      identifier: id,
      attributes: [
        attr('User-Name', mac),
        attr('Calling-Station-Id', mac),
        attr('NAS-Identifier', nas.nasIdentifier),
      ],
      secret: nas.secret,
    });
    return await new Promise((resolve) => {
      const timer = setTimeout(() => resolve('timeout'), timeoutMs);
      sock.on('message', (m) => {
        const p = decodePacket(m);
        if (p.identifier !== id || !verifyResponse(p, req.subarray(4, 20), nas.secret).ok) return;
        clearTimeout(timer);
        resolve(p.code === RadiusCode.AccessAccept ? 'accept' : 'reject');
      });
      sock.on('error', () => {});
      sock.send(req, port, '127.0.0.1');
    });
  } finally {
    sock.close();
  }
}

/**
 * A device that keeps trying its MAC login, `everyMs` after each answer (or timeout), until
 * accepted or told to stop. Each try goes to the first server and, on timeout, to the next, as a
 * MikroTik with two RADIUS servers does. Gentle on purpose: hundreds of devices hammering a
 * restarting server would measure the bench's own flood, not Wavu.
 */
export async function waitOnline(
  nas: RadiusNas,
  mac: string,
  o: { everyMs: number; stopped: () => boolean },
): Promise<number | null> {
  while (!o.stopped()) {
    for (const port of nas.ports) {
      const r = await macLogin(nas, port, mac);
      if (r === 'accept') return Date.now();
      if (r === 'reject') break;
    }
    await sleep(o.everyMs);
  }
  return null;
}
