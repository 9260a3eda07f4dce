/**
 * Job runner: enqueue → handler start latency (one job at a time, so the figure is the wake-up
 * path, not queueing) and throughput for a burst. PGlite always; PostgreSQL when TEST_DATABASE_URL
 * is set (a throwaway database is created and dropped).
 *   node --import tsx bench/jobs.ts
 */
import pino from 'pino';
import { systemClock } from '../src/lib/clock.ts';
import { enqueue } from '../src/jobs/enqueue.ts';
import { Worker } from '../src/jobs/worker.ts';
import { createTestDatabase } from '../test/helpers/db.ts';
import { summarize, table } from './lib.ts';
import { defineJob } from '../src/jobs/define.ts';
import { z } from 'zod';

const BENCH_ONE = defineJob('bench.one', z.unknown());
const BENCH_BURST = defineJob('bench.burst', z.unknown());

const SINGLE = Number(process.env.BENCH_SINGLE ?? 300);
const BURST = Number(process.env.BENCH_BURST ?? 3000);

async function run(label: string) {
  const t = await createTestDatabase();
  const started = new Map<number, (at: number) => void>();
  let done = 0;
  const w = new Worker({
    database: t.database,
    clock: systemClock,
    log: pino({ level: 'silent' }),
    concurrency: 8,
    pollMs: 1000,
    definitions: [
      {
        kind: 'bench.one',
        async handle(p: { i: number }) {
          started.get(p.i)?.(performance.now());
        },
      },
      {
        kind: 'bench.burst',
        async handle() {
          done++;
        },
      },
    ],
  });
  await w.start();
  const lat: number[] = [];
  for (let i = 0; i < SINGLE; i++) {
    const ran = new Promise<number>((r) => started.set(i, r));
    const t0 = performance.now();
    await enqueue(t.database.db, systemClock, BENCH_ONE, { i });
    lat.push((await ran) - t0);
  }
  const t0 = performance.now();
  for (let i = 0; i < BURST; i += 500) {
    await t.database.db.transaction(async (tx) => {
      for (let j = i; j < Math.min(BURST, i + 500); j++) await enqueue(tx, systemClock, BENCH_BURST, {});
    });
  }
  while (done < BURST) await new Promise((r) => setTimeout(r, 10));
  const secs = (performance.now() - t0) / 1000;
  await w.stop();
  await t.drop();
  const s = summarize(lat);
  return {
    database: label,
    'enqueue→start p50 ms': s.p50,
    'p95 ms': s.p95,
    'p99 ms': s.p99,
    'burst jobs': BURST,
    'burst jobs/s': Math.round(BURST / secs),
  };
}

const rows = [await run('PGlite')];
if (process.env.TEST_DATABASE_URL) {
  process.env.WAVU_TEST_DB = 'postgres';
  rows.push(await run('PostgreSQL'));
}
console.log(table(rows));
