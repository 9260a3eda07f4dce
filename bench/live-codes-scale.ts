/**
 * Costs that must stay flat as the data grows: the time of one Access-Request decision, of one
 * paid purchase's code issue (`issueForPurchase`, which first looks for the buyer's live code to
 * extend) and of one whole paid STK callback (`receiveStkCallback`: stored, credited, code issued,
 * device, grant and SMS queued), at 1k, 10k and 100k live codes (each with a bound device and a
 * phone), beside 1M purchases. Each issue runs in a transaction that is rolled back, so the size
 * stays what the row says; each callback pays a pending purchase made for it (so each size gains
 * that many codes). The statements per call are counted in the driver. PostgreSQL only.
 *   TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test node --import tsx bench/live-codes-scale.ts
 */
import { randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
import { sql } from 'drizzle-orm';
import pino from 'pino';
import { authorizeCode, issueForPurchase } from '../src/access/index.ts';
import { readCallbackBody } from '../src/payments/callback-body.ts';
import { receiveStkCallback } from '../src/payments/stk-callback.ts';
import { darajaTimestamp } from '../src/protocols/daraja/time.ts';
import { createDeps } from '../src/app/create-deps.ts';
import { query } from '../src/db/open.ts';
import { systemClock } from '../src/lib/clock.ts';
import { TEST_CALLBACK_SECRET, testConfig } from '../test/helpers/app.ts';
import { createTestDatabase } from '../test/helpers/db.ts';
import { addVoucher } from '../test/radius/helpers.ts';
import { summarize, table } from './lib.ts';

if (!process.env.TEST_DATABASE_URL) {
  console.error('set TEST_DATABASE_URL');
  process.exit(2);
}
process.env.WAVU_TEST_DB = 'postgres';
const SIZES = (process.env.BENCH_SIZES ?? '1000,10000,100000').split(',').map(Number);
const CALLS = Number(process.env.BENCH_CALLS ?? 300);
const PURCHASES = Number(process.env.BENCH_PURCHASES ?? 1_000_000);
const loadAtStart = loadavg()[0]!;

const t = await createTestDatabase();
const deps = createDeps({
  config: testConfig(),
  database: t.database,
  clock: systemClock,
  log: pino({ level: 'silent' }),
});
const codes: string[] = [];
for (let i = 0; i < 200; i++) codes.push((await addVoucher(deps, { hours: 24, devices: 20 })).code);
const [plan] = await query<{ id: number }>(deps.db, sql`SELECT id FROM plans ORDER BY id LIMIT 1`);
const ROLLBACK = new Error('rollback');
const [router] = await query<{ id: number }>(
  deps.db,
  sql`INSERT INTO routers (name, mode, host, username) VALUES ('scale-1', 'api', '127.0.0.1', 'admin') RETURNING id`,
);

// The purchases of a busy hotspot's history: ended ones (their codes long gone), each with its own
// phone, CheckoutRequestID and receipt, which the callback path looks up by.
const seedStart = performance.now();
for (let from = 1; from <= PURCHASES; from += 250_000) {
  const to = Math.min(PURCHASES, from + 250_000 - 1);
  await deps.db.execute(sql`
    INSERT INTO purchases (id, ref, plan_id, phone, amount_kes, channel, status, checkout_request_id, mpesa_receipt,
                           result_code, created_at, updated_at, expired_at)
    SELECT gen_random_uuid(), 'H' || g, ${plan!.id}, '2541' || lpad((g % 100000000)::text, 8, '0'), 20, 'stk',
           'expired', 'ws_CO_hist' || g, 'HIS' || g, '1037', now() - (g || ' minutes')::interval,
           now() - (g || ' minutes')::interval, now() - (g || ' minutes')::interval
      FROM generate_series(${from}::int, ${to}::int) g`);
}
await deps.db.execute(sql`ANALYZE purchases`);
console.error(`seeded ${PURCHASES} purchases in ${((performance.now() - seedStart) / 1000).toFixed(0)} s`);

let callbackSeq = 0;
/** A pending STK purchase as startPurchase leaves it, and the paid callback Daraja sends for it. */
async function pendingCallback(): Promise<string> {
  const i = callbackSeq++;
  const phone = `2547${90_000_000 + i}`;
  const checkout = `ws_CO_scale${i}`;
  await deps.db.execute(
    sql`INSERT INTO purchases (id, ref, plan_id, phone, amount_kes, channel, status, checkout_request_id, mac, router_id)
        VALUES (${randomUUID()}, ${`SC${i}`}, ${plan!.id}, ${phone}, 20, 'stk', 'pending', ${checkout},
                ${`0C:00:00:${[i >> 16, (i >> 8) & 255, i & 255].map((b) => b.toString(16).padStart(2, '0').toUpperCase()).join(':')}`},
                ${router!.id})`,
  );
  return JSON.stringify({
    Body: {
      stkCallback: {
        MerchantRequestID: 'scale',
        CheckoutRequestID: checkout,
        ResultCode: 0,
        ResultDesc: 'The service request is processed successfully.',
        CallbackMetadata: {
          Item: [
            { Name: 'Amount', Value: 20 },
            { Name: 'MpesaReceiptNumber', Value: `SCL${String(i).padStart(7, '0')}` },
            { Name: 'TransactionDate', Value: Number(darajaTimestamp(new Date())) },
            { Name: 'PhoneNumber', Value: Number(phone) },
          ],
        },
      },
    },
  });
}

let seeded = 0;
let cbStatements = 0;
const rows: Record<string, string | number>[] = [];
for (const size of SIZES) {
  // Live purchase codes, each with a phone and a bound device, for the plan the issues buy.
  await deps.db.execute(sql`
    WITH c AS (
      INSERT INTO access_codes (id, code_hash, code_sealed, plan_id, kind, status, devices, clock, duration_seconds,
                                phone, issued_at, activated_at, expires_at)
      SELECT gen_random_uuid(), md5('seed' || g), 'unused', ${plan!.id}, 'purchase', 'active', 1, 'wall', 86400,
             '2547' || lpad(g::text, 8, '0'), now(), now(), now() + interval '1 day'
        FROM generate_series(${seeded + 1}::int, ${size}::int) g
      RETURNING id, phone
    )
    INSERT INTO access_devices (access_code_id, mac, bound_at)
    SELECT id, upper(concat_ws(':', '0A', lpad(to_hex((right(phone, 8)::int >> 24) & 255), 2, '0'),
                                lpad(to_hex((right(phone, 8)::int >> 16) & 255), 2, '0'),
                                lpad(to_hex((right(phone, 8)::int >> 8) & 255), 2, '0'),
                                lpad(to_hex(right(phone, 8)::int & 255), 2, '0'), '00')), now()
      FROM c`);
  seeded = size;
  await deps.db.execute(sql`ANALYZE access_codes`);
  await deps.db.execute(sql`ANALYZE access_devices`);

  const auth: number[] = [];
  const statsBefore = t.database.stats?.statements ?? 0;
  for (let i = 0; i < CALLS; i++) {
    const t0 = performance.now();
    await authorizeCode(deps, {
      code: codes[i % codes.length]!,
      mac: `02:00:00:00:00:${(i % 200).toString(16).padStart(2, '0')}`,
      routerIsRadius: true,
      guess: { path: 'bench', mac: null, ip: null },
    });
    auth.push(performance.now() - t0);
  }
  const authStmts = ((t.database.stats?.statements ?? 0) - statsBefore) / CALLS;
  const issue: number[] = [];
  for (let i = 0; i < CALLS; i++) {
    const t0 = performance.now();
    await deps.db
      .transaction(async (tx) => {
        // A buyer with a phone and a device that hold no live code: the whole lookup runs.
        await issueForPurchase(tx, deps, {
          purchaseId: randomUUID(),
          planId: plan!.id,
          phone: `2541${String(i).padStart(8, '0')}`,
          mac: `0E:00:00:00:${((i >> 8) & 255).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`.toUpperCase(),
          routerId: null,
          purpose: 'access',
        });
        throw ROLLBACK;
      })
      .catch((e) => {
        if (e !== ROLLBACK) throw e;
      });
    issue.push(performance.now() - t0);
  }
  const callback: number[] = [];
  for (let i = 0; i < CALLS; i++) {
    const body = await pendingCallback();
    const before = t.database.stats?.statements ?? 0;
    const t0 = performance.now();
    const r = await receiveStkCallback(deps, {
      secret: TEST_CALLBACK_SECRET,
      body: readCallbackBody(body),
      remoteAddr: '127.0.0.1',
    });
    callback.push(performance.now() - t0);
    if (r.outcome !== 'credited') throw new Error(`callback ${i}: ${r.outcome}`);
    cbStatements += (t.database.stats?.statements ?? 0) - before;
  }
  const a = summarize(auth);
  const b = summarize(issue);
  const c = summarize(callback);
  rows.push({
    'live codes': size,
    'Access-Request decision p50 ms': a.p50,
    'p95 ms': a.p95,
    'stmts/decision': authStmts,
    'code issue p50 ms': b.p50,
    'issue p95 ms': b.p95,
    'paid callback p50 ms': c.p50,
    'callback p95 ms': c.p95,
    'stmts/callback': cbStatements / CALLS,
  });
  cbStatements = 0;
}
await t.drop();
console.log(table(rows));
console.log(
  `\n${CALLS} calls per row, ${PURCHASES} purchases beside the codes. Load average (1 min) ${loadAtStart.toFixed(2)} at start, ${loadavg()[0]!.toFixed(2)} at end.`,
);
