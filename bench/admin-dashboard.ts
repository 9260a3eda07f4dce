/**
 * Admin dashboard and lists on a million purchases (PostgreSQL; a throwaway database is created
 * from TEST_DATABASE_URL and dropped). Seeds with generate_series in SQL, then times every
 * dashboard query, the whole dashboard, the first and a middle page of the purchases list, and
 * the searches support staff use.
 *   TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test node --import tsx bench/admin-dashboard.ts
 * BENCH_PURCHASES (default 1000000) and BENCH_RUNS (default 7) change the size and repeats.
 */
import pino from 'pino';
import { sql } from 'drizzle-orm';
import { createDeps } from '../src/app/create-deps.ts';
import { hashCode } from '../src/access/codes.ts';
import { listCodes } from '../src/admin/codes/list-codes.ts';
import { listCustomers } from '../src/admin/customers/customers.ts';
import { DASHBOARD_QUERIES, getDashboard, rangeStart } from '../src/admin/dashboard/get-dashboard.ts';
import { encodeCursor } from '../src/http/paging.ts';
import { getPurchaseDetail } from '../src/admin/purchases/get-purchase-detail.ts';
import { listPurchases } from '../src/admin/purchases/list-purchases.ts';
import { listSessions } from '../src/admin/sessions/list-sessions.ts';
import { query } from '../src/db/open.ts';
import { systemClock } from '../src/lib/clock.ts';
import { testConfig } from '../test/helpers/app.ts';
import { createTestDatabase } from '../test/helpers/db.ts';
import { summarize, table } from './lib.ts';

if (!process.env.TEST_DATABASE_URL) {
  console.error('Set TEST_DATABASE_URL (a PostgreSQL the bench may create a throwaway database from).');
  process.exit(2);
}
process.env.WAVU_TEST_DB = 'postgres';
const N = Number(process.env.BENCH_PURCHASES ?? 1_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const PHONES = Math.max(1000, Math.floor(N / 5));

const t = await createTestDatabase();
const db = t.database.db;
const deps = createDeps({
  config: testConfig(),
  database: t.database,
  clock: systemClock,
  log: pino({ level: 'silent' }),
});
const exec = (s: string) => db.execute(sql.raw(s));

try {
  const t0 = performance.now();
  const now = new Date();
  // Purchases spread over 90 days, newest first: 80 % paid, 12 % failed, 5 % cancelled, 3 % expired;
  // five routers; one customer per phone. Paid ones have a code; half of those a session a few
  // seconds after payment; the newest 2,000 sessions are live.
  await exec(
    `INSERT INTO routers (name, mode, host) SELECT 'site-' || g, 'api', '10.0.0.' || g FROM generate_series(1, 5) g`,
  );
  await exec(`INSERT INTO customers (phone, created_at)
              SELECT '2547' || lpad(g::text, 8, '0'), now() - interval '120 days' FROM generate_series(0, ${PHONES - 1}) g`);
  await exec(`CREATE TEMP TABLE seed AS
              SELECT g AS i,
                     md5('p' || g)::uuid AS pid, md5('c' || g)::uuid AS cid,
                     (1 + g % 4) AS plan_id, (ARRAY[20, 50, 100, 300])[1 + g % 4] AS amount,
                     '2547' || lpad((g % ${PHONES})::text, 8, '0') AS phone,
                     1 + (g % 5) AS router_id,
                     timestamptz '${now.toISOString()}' - (g * (interval '90 days' / ${N})) AS at,
                     CASE WHEN g % 100 < 80 THEN 'paid' WHEN g % 100 < 92 THEN 'failed'
                          WHEN g % 100 < 97 THEN 'cancelled' ELSE 'expired' END AS status
              FROM generate_series(1, ${N}) g`);
  await exec(`INSERT INTO access_codes (id, code_hash, code_sealed, plan_id, kind, purchase_id, status, devices, clock,
                                        duration_seconds, phone, issued_at, activated_at, expires_at, expired_at, updated_at)
              SELECT cid, 'bench-' || i, '${deps.sealer.seal('BENCHCODE1')}', plan_id, 'purchase', pid,
                     CASE WHEN i <= 2000 THEN 'active' ELSE 'expired' END, 1, 'wall', 3600, phone, at, at, at + interval '1 hour',
                     CASE WHEN i <= 2000 THEN NULL ELSE at + interval '1 hour' END, at
              FROM seed WHERE status = 'paid'`);
  await exec(`INSERT INTO purchases (id, ref, plan_id, phone, amount_kes, paid_amount_kes, channel, status, result_code, result_desc,
                                     mpesa_receipt, checkout_request_id, router_id, access_code_id, created_at, updated_at,
                                     paid_at, failed_at, cancelled_at, expired_at)
              SELECT pid, 'WV' || i, plan_id, phone, amount, CASE WHEN status = 'paid' THEN amount END, 'stk', status,
                     CASE status WHEN 'paid' THEN '0' WHEN 'failed' THEN (ARRAY['1032','1037','2001','1'])[1 + i % 4]
                                 WHEN 'cancelled' THEN '1032' ELSE NULL END,
                     NULL,
                     CASE WHEN status = 'paid' THEN 'S' || lpad(i::text, 9, '0') END, 'ws_CO_' || i, router_id,
                     CASE WHEN status = 'paid' THEN cid END, at, at,
                     CASE WHEN status = 'paid' THEN at + interval '6 seconds' END,
                     CASE WHEN status = 'failed' THEN at + interval '20 seconds' END,
                     CASE WHEN status = 'cancelled' THEN at + interval '15 seconds' END,
                     CASE WHEN status = 'expired' THEN at + interval '3 minutes' END
              FROM seed`);
  await exec(`INSERT INTO sessions (id, access_code_id, router_id, mac, ip, status, started_at, updated_at, stopped_at, session_seconds)
              SELECT md5('s' || i)::uuid, cid, router_id,
                     upper(substr(md5('m' || i), 1, 2) || ':' || substr(md5('m' || i), 3, 2) || ':' || substr(md5('m' || i), 5, 2) || ':' ||
                           substr(md5('m' || i), 7, 2) || ':' || substr(md5('m' || i), 9, 2) || ':' || substr(md5('m' || i), 11, 2)),
                     '10.5.' || (i % 250) || '.' || (i % 200 + 2),
                     CASE WHEN i <= 2000 THEN 'active' ELSE 'closed' END,
                     at + make_interval(secs => 8 + i % 12), at + interval '30 minutes',
                     CASE WHEN i <= 2000 THEN NULL ELSE at + interval '1 hour' END, 1800
              FROM seed WHERE status = 'paid' AND i % 2 = 0`);
  await exec('VACUUM ANALYZE');
  const counts = (
    await query<{ p: number; c: number; s: number }>(
      db,
      sql`SELECT (SELECT count(*) FROM purchases)::int AS p, (SELECT count(*) FROM access_codes)::int AS c,
                 (SELECT count(*) FROM sessions)::int AS s`,
    )
  )[0]!;
  const seedSecs = (performance.now() - t0) / 1000;

  const time = async (label: string, f: () => Promise<unknown>) => {
    await f(); // warm-up
    const ms: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const a = performance.now();
      await f();
      ms.push(performance.now() - a);
    }
    const s = summarize(ms);
    return { query: label, 'p50 ms': s.p50, 'max ms': s.max };
  };

  const from30 = rangeStart(now, 30);
  const q = DASHBOARD_QUERIES;
  const mid = (
    await query<{ created_at: string; id: string }>(
      db,
      sql`SELECT created_at, id FROM purchases ORDER BY created_at DESC, id DESC OFFSET ${Math.floor(N / 2)} LIMIT 1`,
    )
  )[0]!;
  const midCursor = encodeCursor({ t: mid.created_at, id: mid.id });
  const samplePhone = '254700000123';
  const someId = (await query<{ id: string }>(db, sql`SELECT id FROM purchases WHERE ref = 'WV4321'`))[0]!.id;
  // A code as a cashier would type it: give one seeded code a real hash.
  await db.execute(
    sql`UPDATE access_codes SET code_hash = ${hashCode(deps.sealer, 'ACDEFGHJKM')} WHERE code_hash = 'bench-4300'`,
  );

  const rows = [
    await time('dashboard: revenue by day, plan, router (30 d)', () => query(db, q.revenue(from30))),
    await time('dashboard: active sessions', () => query(db, q.activeSessions())),
    await time('dashboard: sessions per day (30 d)', () => query(db, q.sessionsPerDay(from30))),
    await time('dashboard: payment status + result codes', () => query(db, q.payments(from30))),
    await time('dashboard: payment → access time', () => query(db, q.timeToAccess(from30))),
    await time('whole dashboard, 30 days', () => getDashboard(deps, { days: 30 })),
    await time('whole dashboard, 7 days', () => getDashboard(deps, { days: 7 })),
    await time('purchases: first page (50)', () => listPurchases(deps, { limit: 50 })),
    await time(`purchases: middle page (row ${Math.floor(N / 2).toLocaleString()})`, () =>
      listPurchases(deps, { limit: 50, cursor: midCursor }),
    ),
    await time('purchases: status=failed, first page', () =>
      listPurchases(deps, { limit: 50, status: 'failed' }),
    ),
    await time('purchases: search phone', () => listPurchases(deps, { limit: 50, q: '0700 000 123' })),
    await time('purchases: search receipt', () => listPurchases(deps, { limit: 50, q: 'S000004321' })),
    await time('purchases: search access code', () => listPurchases(deps, { limit: 50, q: 'ACDEF-GHJKM' })),
    await time('purchase detail + timeline', () => getPurchaseDetail(deps, someId)),
    await time('codes: first page', () => listCodes(deps, { limit: 50 }, true)),
    await time('sessions: live, first page', () => listSessions(deps, { status: 'active', limit: 50 })),
    await time('customers: first page', () => listCustomers(deps, { limit: 50 })),
    await time('customers: search phone', () => listCustomers(deps, { limit: 50, q: samplePhone })),
  ];
  console.log(
    `\nSeeded ${counts.p.toLocaleString()} purchases, ${counts.c.toLocaleString()} access codes, ${counts.s.toLocaleString()} sessions, ${PHONES.toLocaleString()} customers in ${seedSecs.toFixed(0)} s (PostgreSQL). ${RUNS} runs each after one warm-up.\n`,
  );
  console.log(table(rows));
} finally {
  await t.drop();
}
