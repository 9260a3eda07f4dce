/**
 * RADIUS server: Access-Request (PAP voucher login, full authorizeCode path) and Accounting
 * Interim-Update throughput and latency, from several concurrent UDP sockets using our own client
 * codec, against the real server on PGlite (and PostgreSQL when TEST_DATABASE_URL is set).
 *   node --import tsx bench/radius.ts
 */
import { createSocket, type Socket } from 'node:dgram';
import pino from 'pino';
import { createDeps } from '../src/app/create-deps.ts';
import { systemClock } from '../src/lib/clock.ts';
import {
  attr,
  decodePacket,
  encodeRequest,
  type RadiusAttribute,
  RadiusCode,
  verifyResponse,
} from '../src/protocols/radius/index.ts';
import { startRadiusService } from '../src/radius/service.ts';
import { testConfig } from '../test/helpers/app.ts';
import { createTestDatabase } from '../test/helpers/db.ts';
import { addRadiusRouter, addVoucher } from '../test/radius/helpers.ts';
import { summarize, table } from './lib.ts';

const SECRET = 'bench-secret';
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 3000);
const SOCKETS = (process.env.BENCH_SOCKETS ?? '1,8').split(',').map(Number);
const CODES = 200;

/** One client socket sending requests one after another (closed loop), like one busy NAS. */
async function client(port: number, n: number, build: (i: number, id: number) => Buffer, lat: number[]) {
  const sock: Socket = createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  let lost = 0;
  for (let i = 0; i < n; i++) {
    const id = i & 0xff;
    const req = build(i, id);
    const t0 = performance.now();
    const ok = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => {
        sock.off('message', on);
        resolve(false);
      }, 3000);
      const on = (m: Buffer) => {
        const p = decodePacket(m);
        if (p.identifier !== id) return;
        clearTimeout(timer);
        sock.off('message', on);
        resolve(verifyResponse(p, req.subarray(4, 20), SECRET).ok);
      };
      sock.on('message', on);
      sock.send(req, port, '127.0.0.1');
    });
    if (ok) lat.push(performance.now() - t0);
    else lost++;
  }
  sock.close();
  return lost;
}

async function run(label: string) {
  const t = await createTestDatabase();
  const deps = createDeps({
    config: testConfig(),
    database: t.database,
    clock: systemClock,
    log: pino({ level: 'silent' }),
  });
  await addRadiusRouter(deps, { name: 'bench', secret: SECRET, address: '127.0.0.1' });
  const codes: string[] = [];
  for (let i = 0; i < CODES; i++) codes.push((await addVoucher(deps, { hours: 24, devices: 20 })).code);
  const server = await startRadiusService(deps, { host: '127.0.0.1', authPort: 0, acctPort: 0 });
  const mac = (i: number) =>
    `02:00:00:00:${((i >> 8) & 0xff).toString(16).padStart(2, '0')}:${(i & 0xff).toString(16).padStart(2, '0')}`;

  const access = (c: number) => (i: number, id: number) => {
    const k = (c * 7919 + i) % CODES;
    const code = codes[k]!;
    return encodeRequest({
      code: RadiusCode.AccessRequest,
      identifier: id,
      attributes: [
        attr('User-Name', code),
        attr('User-Password', code),
        attr('Calling-Station-Id', mac(k)),
        attr('NAS-Identifier', 'bench'),
      ],
      secret: SECRET,
    });
  };
  const interim = (c: number) => (i: number, id: number) => {
    const k = (c * 7919 + i) % CODES;
    const attrs: RadiusAttribute[] = [
      attr('User-Name', codes[k]!),
      attr('Acct-Session-Id', `s-${c}-${k}`),
      attr('Acct-Status-Type', 'Interim-Update'),
      attr('Acct-Session-Time', i),
      attr('Acct-Input-Octets', i * 1000),
      attr('Acct-Output-Octets', i * 9000),
      attr('Calling-Station-Id', mac(k)),
    ];
    return encodeRequest({
      code: RadiusCode.AccountingRequest,
      identifier: id,
      attributes: attrs,
      secret: SECRET,
    });
  };

  const rows: Record<string, string | number>[] = [];
  for (const [kind, port, build] of [
    ['Access-Request (PAP)', server.authPort!, access],
    ['Accounting Interim', server.acctPort!, interim],
  ] as const) {
    for (const sockets of SOCKETS) {
      const lat: number[] = [];
      const before = { ...t.database.stats };
      const t0 = performance.now();
      const lost = (
        await Promise.all(
          Array.from({ length: sockets }, (_, c) =>
            client(port, Math.ceil(REQUESTS / sockets), build(c), lat),
          ),
        )
      ).reduce((a, b) => a + b, 0);
      const secs = (performance.now() - t0) / 1000;
      const s = summarize(lat);
      const per = (n: number) => Math.round((n / Math.max(1, s.n + lost)) * 100) / 100;
      rows.push({
        database: label,
        request: kind,
        sockets,
        answered: s.n,
        lost,
        'req/s': Math.round(s.n / secs),
        'p50 ms': s.p50,
        'p99 ms': s.p99,
        'stmts/req': per(t.database.stats.statements - before.statements),
        'tx/req': per(t.database.stats.transactions - before.transactions),
      });
    }
  }
  await server.stop();
  await t.drop();
  return rows;
}

const rows = await run('PGlite');
if (process.env.TEST_DATABASE_URL) {
  process.env.WAVU_TEST_DB = 'postgres';
  rows.push(...(await run('PostgreSQL')));
}
console.log(table(rows));
