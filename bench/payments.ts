/**
 * Payments: STK callback received → purchase paid + access code issued + `gateway.grant` job
 * enqueued (all in the request, so the HTTP answer marks the end), measured over real HTTP.
 * Latency with one callback at a time; throughput with many at once (distinct purchases), and
 * with the same success delivered repeatedly (duplicates, the common retry storm).
 * PGlite always; PostgreSQL when TEST_DATABASE_URL is set.
 *   node --import tsx bench/payments.ts
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { query } from '../src/db/open.ts';
import { darajaTimestamp } from '../src/protocols/daraja/time.ts';
import { TEST_CALLBACK_SECRET } from '../test/helpers/app.ts';
import { startPaymentsApp } from '../test/payments/helpers.ts';
import { summarize, table } from './lib.ts';

const SINGLE = Number(process.env.BENCH_SINGLE ?? 300);
const BURST = Number(process.env.BENCH_BURST ?? 1000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);

function successBody(checkout: string, amount: number, phone: string, receipt: string) {
  return JSON.stringify({
    Body: {
      stkCallback: {
        MerchantRequestID: `${randomUUID().slice(0, 4)}-bench`,
        CheckoutRequestID: checkout,
        ResultCode: 0,
        ResultDesc: 'The service request is processed successfully.',
        CallbackMetadata: {
          Item: [
            { Name: 'Amount', Value: amount },
            { Name: 'MpesaReceiptNumber', Value: receipt },
            { Name: 'Balance' },
            { Name: 'TransactionDate', Value: Number(darajaTimestamp(new Date())) },
            { Name: 'PhoneNumber', Value: Number(phone) },
          ],
        },
      },
    },
  });
}

async function run(label: string) {
  const h = await startPaymentsApp();
  const db = h.app.deps.db;
  const [router] = await query<{ id: number }>(
    db,
    sql`INSERT INTO routers (name, mode, host, username) VALUES ('bench-1', 'api', '127.0.0.1', 'admin') RETURNING id`,
  );
  let seq = 0;
  /** A pending STK purchase as startPurchase leaves it (device and router known). */
  async function pending() {
    const i = seq++;
    const id = randomUUID();
    const phone = `2547${String(10_000_000 + i).slice(-8)}`;
    const checkout = `ws_CO_bench${String(i).padStart(8, '0')}`;
    const receipt = `UKN${String(i).padStart(7, '0')}`;
    const mac = `02:00:00:${[i >> 16, (i >> 8) & 255, i & 255].map((b) => b.toString(16).padStart(2, '0').toUpperCase()).join(':')}`;
    await db.execute(
      sql`INSERT INTO purchases (id, ref, plan_id, phone, amount_kes, channel, status, checkout_request_id, mac, router_id)
          VALUES (${id}, ${`B${i}`}, 1, ${phone}, 20, 'stk', 'pending', ${checkout}, ${mac}, ${router!.id})`,
    );
    return { id, body: successBody(checkout, 20, phone, receipt) };
  }
  const url = `${h.url}/callbacks/stk/${TEST_CALLBACK_SECRET}`;
  const post = (body: string) =>
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body }).then((r) =>
      r.arrayBuffer(),
    );

  // Warm up (JIT, pools, prepared plans).
  for (let i = 0; i < 20; i++) await post((await pending()).body);

  const lat: number[] = [];
  const single: { id: string; body: string }[] = [];
  for (let i = 0; i < SINGLE; i++) single.push(await pending());
  for (const p of single) {
    const t0 = performance.now();
    await post(p.body);
    lat.push(performance.now() - t0);
  }

  const burst: { id: string; body: string }[] = [];
  for (let i = 0; i < BURST; i++) burst.push(await pending());
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < burst.length) await post(burst[next++]!.body);
    }),
  );
  const secs = (performance.now() - t0) / 1000;

  // Duplicates: one paid purchase, the same body many times at once.
  const dup = await pending();
  await post(dup.body);
  let d = 0;
  const t1 = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (d++ < BURST) await post(dup.body);
    }),
  );
  const dupSecs = (performance.now() - t1) / 1000;

  // Check the work was really done: every purchase paid with a code and a grant job.
  const [check] = await query<{ paid: number; grants: number; codes: number }>(
    db,
    sql`SELECT (SELECT count(*)::int FROM purchases WHERE status = 'paid') AS paid,
               (SELECT count(*)::int FROM jobs WHERE kind = 'gateway.grant') AS grants,
               (SELECT count(*)::int FROM access_codes) AS codes`,
  );
  const expected = seq;
  if (check!.paid !== expected || check!.codes !== expected || check!.grants < expected) {
    throw new Error(`bench check failed: ${JSON.stringify(check)} expected ${expected}`);
  }
  await h.stop();
  const s = summarize(lat);
  return {
    database: label,
    'callback→paid+grant p50 ms': s.p50,
    'p95 ms': s.p95,
    'p99 ms': s.p99,
    [`callbacks/s (${CONCURRENCY} at once)`]: Math.round(BURST / secs),
    'duplicate callbacks/s': Math.round(BURST / dupSecs),
  };
}

const rows = [await run('PGlite')];
if (process.env.TEST_DATABASE_URL) {
  process.env.WAVU_TEST_DB = 'postgres';
  rows.push(await run('PostgreSQL'));
}
console.log(table(rows));
process.exit(0);
