/**
 * STK callbacks per second against the database's own limit for the same writes. Wavu: paid STK
 * callbacks over real HTTP, 16 at once, each a distinct pending purchase (stored, credited, code
 * issued, device bound, grant and SMS queued), posted by a load generator in a process of its own
 * (bench/http-load.ts), and then, for comparison, from inside the app's process. The limit: pgbench, on the same throwaway database
 * with Wavu's tables, running the writes one such callback makes (inbox row, purchase, access
 * code, device, grant, SMS, three jobs and a NOTIFY) as one transaction, a statement each, with
 * as many clients. Statements per callback are counted in the driver (Database.stats).
 * PostgreSQL only:
 *   TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test node --import tsx bench/stk-callbacks.ts
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { query } from '../src/db/open.ts';
import { table } from './lib.ts';
import { runHttpLoad } from './http-load.ts';
import { startStkBench } from './stk-bench.ts';

const N = Number(process.env.BENCH_N ?? 2000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const PGBENCH_SECONDS = Number(process.env.BENCH_PGBENCH_SECONDS ?? 15);
const PGBENCH = process.env.PGBENCH ?? 'pgbench';

if (!process.env.TEST_DATABASE_URL) throw new Error('set TEST_DATABASE_URL (PostgreSQL)');
process.env.WAVU_TEST_DB = 'postgres';

const loadAtStart = loadavg()[0]!;
const { h, db, routerId, pending, post, made, url } = await startStkBench();
const bodies = async (n: number) => {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push((await pending()).body);
  return out;
};
await runHttpLoad({ url, bodies: await bodies(50), concurrency: CONCURRENCY }); // warm-up: JIT, pool, plans

/** N paid callbacks, CONCURRENCY at once: the rate, and statements and transactions per callback. */
async function measure(client: 'own process' | "app's process") {
  const load = await bodies(N);
  const before = { ...h.t.database.stats };
  let ms: number;
  if (client === 'own process') {
    const r = await runHttpLoad({ url, bodies: load, concurrency: CONCURRENCY });
    if (r.statuses['200'] !== N) throw new Error(`callbacks answered ${JSON.stringify(r.statuses)}`);
    ms = r.ms;
  } else {
    let next = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < load.length) await post(load[next++]!);
      }),
    );
    ms = performance.now() - t0;
  }
  return {
    client,
    perSec: N / (ms / 1000),
    statements: (h.t.database.stats.statements - before.statements) / N,
    transactions: (h.t.database.stats.transactions - before.transactions) / N,
  };
}
// The client in a process of its own is the measure (Daraja is another machine); the same load
// posted from inside the app's process is shown beside it, as earlier runs measured it.
const runs = [await measure('own process'), await measure("app's process")];
const [check] = await query<{ paid: number; grants: number; sms: number }>(
  db,
  sql`SELECT (SELECT count(*)::int FROM purchases WHERE status = 'paid') AS paid,
             (SELECT count(*)::int FROM jobs WHERE kind = 'gateway.grant') AS grants,
             (SELECT count(*)::int FROM jobs WHERE kind = 'sms.send') AS sms`,
);
if (check!.paid !== made() || check!.grants !== made() || check!.sms !== made())
  throw new Error(`bench check failed: ${JSON.stringify(check)}, expected ${made()} of each`);

// The same writes as one transaction per callback, a statement each, on the same tables.
const dir = mkdtempSync(join(tmpdir(), 'wavu-pgbench-'));
const script = join(dir, 'stk.sql');
writeFileSync(
  script,
  `\\set n random(1, 1000000000)
\\set p random(0, ${made() - 1})
BEGIN;
INSERT INTO callback_inbox (kind, received_at, body, checkout_request_id, receipt, outcome, processed_at) VALUES ('stk', now(), '{"Body":{"stkCallback":{"ResultCode":0}}}'::jsonb, 'pgb' || :n, 'PGB' || :n, 'credited', now());
UPDATE purchases SET updated_at = now(), paid_at = now(), paid_amount_kes = 20 WHERE ref = 'B' || :p;
INSERT INTO access_codes (id, code_hash, code_sealed, plan_id, kind, status, devices, clock, duration_seconds, phone, issued_at, activated_at, expires_at, updated_at) VALUES (gen_random_uuid(), md5(random()::text), 'sealed', 1, 'purchase', 'active', 1, 'wall', 3600, '254700000000', now(), now(), now() + interval '1 hour', now()) RETURNING id AS code_id \\gset
INSERT INTO jobs (kind, payload, run_at, max_attempts, idempotency_key, created_at, updated_at) VALUES ('bench.expire', '{}', now() + interval '1 hour', 12, 'pgb:e:' || :n || ':' || random(), now(), now());
INSERT INTO access_devices (access_code_id, mac, bound_at, last_seen_at) VALUES (':code_id'::uuid, '02:00:00:00:00:01', now(), now());
INSERT INTO access_grants (access_code_id, router_id, status, attempts, requested_at, updated_at) VALUES (':code_id'::uuid, ${routerId}, 'pending', 0, now(), now());
INSERT INTO jobs (kind, payload, run_at, max_attempts, idempotency_key, created_at, updated_at) VALUES ('bench.grant', '{}', now() + interval '1 hour', 12, 'pgb:g:' || :n || ':' || random(), now(), now());
INSERT INTO sms_messages (id, to_phone, body, created_at) VALUES (gen_random_uuid(), '254700000000', 'bench', now());
INSERT INTO jobs (kind, payload, run_at, max_attempts, idempotency_key, created_at, updated_at) VALUES ('bench.sms', '{}', now() + interval '1 hour', 12, 'pgb:s:' || :n || ':' || random(), now(), now());
SELECT pg_notify('wavu_bench', 'x');
COMMIT;
`,
);
const out = execFileSync(
  PGBENCH,
  [
    '-n',
    '-M',
    'simple',
    '-c',
    String(CONCURRENCY),
    '-j',
    '2',
    '-T',
    String(PGBENCH_SECONDS),
    '-f',
    script,
    h.t.url!,
  ],
  { encoding: 'utf8' },
);
rmSync(dir, { recursive: true, force: true });
const tps = Number(/tps = ([0-9.]+)/.exec(out)?.[1]);
if (!tps) throw new Error(`could not read pgbench's tps:\n${out}`);
await h.stop();

console.log(
  table(
    runs.map((r) => ({
      'paid callbacks': N,
      clients: CONCURRENCY,
      'load generator': r.client,
      'Wavu callbacks/s': Math.round(r.perSec),
      'pgbench same writes tx/s': Math.round(tps),
      ratio: (r.perSec / tps).toFixed(2),
      'statements/callback': r.statements.toFixed(1),
      'transactions/callback': r.transactions.toFixed(1),
    })),
  ),
);
console.log(`\nLoad average (1 min) ${loadAtStart.toFixed(2)} at start, ${loadavg()[0]!.toFixed(2)} at end.`);
process.exit(0);
