/**
 * Shared set-up for the RADIUS tests: a database with a radius-mode router and vouchers, our
 * server on ephemeral ports, and FreeRADIUS's `radclient` as the NAS.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { createDeps } from '../../src/app/create-deps.ts';
import type { Deps } from '../../src/app/deps.ts';
import { generateAccessCode, hashCode } from '../../src/access/codes.ts';
import { query } from '../../src/db/open.ts';
import type { Clock } from '../../src/lib/clock.ts';
import {
  attr,
  decodePacket,
  ERROR_CAUSE,
  encodeResponse,
  type RadiusPacket,
  RadiusCode,
  verifyRequest,
} from '../../src/protocols/radius/index.ts';
import { silentLog, testConfig } from '../helpers/app.ts';
import type { TestDatabase } from '../helpers/db.ts';

export const hasRadclient = spawnSync('radclient', ['-v']).status === 0;
export const NO_RADCLIENT =
  'radclient not found: install Debian package freeradius-utils to run the RADIUS end-to-end tests';

export function makeDeps(t: TestDatabase, clock: Clock): Deps {
  return createDeps({ config: testConfig(), database: t.database, clock, log: silentLog() });
}

export async function addRadiusRouter(
  deps: Deps,
  o: {
    name: string;
    secret: string;
    address?: string | null;
    identifier?: string | null;
    coaPort?: number;
    requireMa?: boolean;
    /** radius_allow_from: other addresses/networks it may send from, or 'any'. */
    allowFrom?: string | null;
  },
): Promise<number> {
  const [r] = await query<{ id: number }>(
    deps.db,
    sql`INSERT INTO routers (name, mode, host, nas_address, nas_identifier, radius_secret_sealed, coa_port,
                             radius_require_message_auth, radius_allow_from)
        VALUES (${o.name}, 'radius', ${o.address ?? null}, ${o.address ?? null}, ${o.identifier ?? null},
                ${deps.sealer.seal(o.secret)}, ${o.coaPort ?? 3799}, ${o.requireMa ?? true}, ${o.allowFrom ?? null})
        RETURNING id`,
  );
  return r!.id;
}

export interface PlanSpec {
  hours?: number;
  devices?: number;
  clock?: 'wall' | 'uptime';
  capBytes?: number | null;
  upKbps?: number | null;
  downKbps?: number | null;
}

/** A voucher (issued, unused) for a fresh plan; returns the clear code and its id. */
export async function addVoucher(deps: Deps, p: PlanSpec = {}): Promise<{ code: string; id: string }> {
  const seconds = Math.round((p.hours ?? 1) * 3600);
  const [plan] = await query<{ id: number }>(
    deps.db,
    sql`INSERT INTO plans (name, price_kes, duration_seconds, devices, clock, data_cap_bytes, rate_up_kbps, rate_down_kbps)
        VALUES (${`p-${randomUUID().slice(0, 8)}`}, 50, ${seconds}, ${p.devices ?? 1}, ${p.clock ?? 'wall'},
                ${p.capBytes ?? null}, ${p.upKbps ?? null}, ${p.downKbps ?? null})
        RETURNING id`,
  );
  const code = generateAccessCode();
  const id = randomUUID();
  await deps.db.execute(
    sql`INSERT INTO access_codes (id, code_hash, code_sealed, plan_id, kind, devices, clock, duration_seconds, data_cap_bytes)
        VALUES (${id}, ${hashCode(deps.sealer, code)}, ${deps.sealer.seal(code)}, ${plan!.id}, 'voucher',
                ${p.devices ?? 1}, ${p.clock ?? 'wall'}, ${seconds}, ${p.capBytes ?? null})`,
  );
  return { code, id };
}

export interface RadclientResult {
  status: number | null;
  stdout: string;
  /** e.g. Access-Accept, Accounting-Response, or null when nothing came back. */
  reply: string | null;
  /** Attributes of the reply as radclient printed them (`Name = value`). */
  attrs: Record<string, string>;
}

/** Run radclient once: `lines` are attribute lines (`User-Name = "x"`). */
export function radclient(
  port: number,
  type: 'auth' | 'acct' | 'status',
  secret: string,
  lines: string[],
  extra: string[] = [],
): Promise<RadclientResult> {
  return new Promise((resolve, reject) => {
    const p = spawn('radclient', ['-x', '-r', '1', '-t', '2', ...extra, `127.0.0.1:${port}`, type, secret]);
    let stdout = '';
    p.stdout.on('data', (d) => {
      stdout += d;
    });
    p.stderr.on('data', (d) => {
      stdout += d;
    });
    p.on('error', reject);
    p.on('close', (status) => {
      const m = /Received (\S+) Id \d+/.exec(stdout);
      const attrs: Record<string, string> = {};
      if (m) {
        const after = stdout.slice(m.index).split('\n').slice(1);
        for (const l of after) {
          const a = /^\s+([A-Za-z0-9-]+) = (.*)$/.exec(l);
          if (!a) break;
          attrs[a[1]!] = a[2]!.replace(/^"|"$/g, '');
        }
      }
      resolve({ status, stdout, reply: m ? m[1]! : null, attrs });
    });
    p.stdin.end(`${lines.join('\n')}\n`);
  });
}

/** Send one datagram from a fresh socket and wait for one reply (or null after `ms`). */
export async function exchange(
  port: number,
  packet: Buffer,
  ms = 1500,
  bindPort = 0,
  bindAddress = '127.0.0.1',
): Promise<Buffer | null> {
  const { createSocket } = await import('node:dgram');
  const sock = createSocket('udp4');
  await new Promise<void>((r) => sock.bind(bindPort, bindAddress, () => r()));
  try {
    return await new Promise<Buffer | null>((resolve) => {
      const timer = setTimeout(() => resolve(null), ms);
      sock.once('message', (m) => {
        clearTimeout(timer);
        resolve(m);
      });
      sock.send(packet, port, '127.0.0.1');
    });
  } finally {
    sock.close();
  }
}

/** A NAS's CoA port on a real UDP socket: records verified requests and answers as told. */
export class FakeNas {
  sock: Socket = createSocket('udp4');
  constructor(private readonly secret: string) {}
  port = 0;
  received: { packet: RadiusPacket; valid: boolean }[] = [];
  answer: 'ack' | 'nak-gone' | 'nak-other' | 'silent' = 'ack';
  async start() {
    await new Promise<void>((r) => this.sock.bind(0, '127.0.0.1', () => r()));
    this.port = this.sock.address().port;
    this.sock.on('message', (msg, rinfo) => {
      const packet = decodePacket(msg);
      const check = verifyRequest(packet, this.secret);
      this.received.push({ packet, valid: check.ok && check.messageAuthenticator === 'valid' });
      if (this.answer === 'silent') return;
      const ack = packet.code === RadiusCode.DisconnectRequest ? RadiusCode.DisconnectAck : RadiusCode.CoaAck;
      const reply =
        this.answer === 'ack'
          ? encodeResponse({ code: ack, request: packet, attributes: [], secret: this.secret })
          : encodeResponse({
              code: ack + 1,
              request: packet,
              attributes: [
                attr(
                  'Error-Cause',
                  this.answer === 'nak-gone'
                    ? ERROR_CAUSE['Session-Context-Not-Found']!
                    : ERROR_CAUSE['Invalid-Request']!,
                ),
              ],
              secret: this.secret,
            });
      this.sock.send(reply, rinfo.port, rinfo.address);
    });
  }
  stop() {
    this.sock.close();
  }
}
