/**
 * Payments: STK callback received → purchase paid + access code issued + `gateway.grant` job
 * enqueued (all in the request, so the HTTP answer marks the end), measured over real HTTP.
 * Latency with one callback at a time; throughput with many at once (distinct purchases), and
 * with the same success delivered repeatedly (duplicates, the common retry storm).
 * PGlite always; PostgreSQL when TEST_DATABASE_URL is set.
 *   node --import tsx bench/payments.ts
 */
import { sql } from 'drizzle-orm';
import { query } from '../src/db/open.ts';
import { summarize, table } from './lib.ts';
import { startStkBench } from './stk-bench.ts';

const SINGLE = Number(process.env.BENCH_SINGLE ?? 300);
const BURST = Number(process.env.BENCH_BURST ?? 1000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);

async function run(label: string) {
  const { h, db, pending, post, made } = await startStkBench();

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
  const expected = made();
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
