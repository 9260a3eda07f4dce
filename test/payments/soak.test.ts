/**
 * Soak: a few hundred concurrent purchases over real HTTP against the simulator with random
 * delays, lost, duplicated and reordered callbacks, lagging and failing queries and spike-arrest
 * 429s; the worker is replaced half-way; on PostgreSQL a second node (its own pool, HTTP server and
 * worker) takes half the traffic. Time runs ~40x fast (OffsetClock) so expiry and late checks
 * happen within the test. At the end: every purchase is final, every payment the simulator took
 * is credited exactly once (one code, one SMS), and nothing unpaid is credited.
 * PAYMENTS_SOAK_COUNT scales it (default 250).
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { query } from '../../src/db/open.ts';
import { Worker } from '../../src/jobs/worker.ts';
import { OffsetClock } from '../../src/lib/clock.ts';
import { paymentsModule } from '../../src/payments/module.ts';
import { seededRandom } from '../../src/sim/daraja/outcomes.ts';
import { silentLog } from '../helpers/app.ts';
import { createTestDatabase, onPostgres, type TestDatabase } from '../helpers/db.ts';
import { type PaymentsHarness, startPaymentsApp } from './helpers.ts';

const COUNT = Number(process.env.PAYMENTS_SOAK_COUNT ?? 250);
const SEED = Number(process.env.PAYMENTS_SOAK_SEED ?? 20261123);

let t: TestDatabase;
let a: PaymentsHarness;
let b: PaymentsHarness | null = null;
const clock = new OffsetClock();

beforeAll(async () => {
  t = await createTestDatabase();
  const random = seededRandom(SEED);
  a = await startPaymentsApp({
    t,
    clock,
    roles: ['serve', 'worker'],
    workerOptions: { concurrency: 4, pollMs: 50 },
    sim: {
      random,
      autoDelayMs: 20,
      promptTimeoutMs: 1_500,
      faults: {
        callbackDelayMs: [0, 400],
        dropRate: 0.15,
        duplicateRate: 0.2,
        push500Rate: 0.02,
        query500Rate: 0.05,
        lagQueries: 1,
        queryLiesRate: 0,
        queryLimit: { max: 60, windowMs: 1_000 },
        stkAlsoC2b: false,
      },
    },
  });
  if (onPostgres()) {
    const second = await t.openAnother();
    b = await startPaymentsApp({
      t,
      database: second,
      clock,
      roles: ['serve', 'worker'],
      workerOptions: { concurrency: 4, pollMs: 50 },
      darajaBaseUrl: `${a.url}/sim/daraja`,
    });
  }
}, 120_000);

afterAll(async () => {
  await b?.stop();
  await a?.stop();
  await t?.drop();
});

/** Outcomes by the simulator's magic phone suffixes, weighted. */
const MIX: [string | null, number][] = [
  [null, 55], // pays
  ['0404', 10], // pays, callback never sent
  ['1032', 10],
  ['1037', 5],
  ['0001', 5],
  ['2001', 5],
  ['4999', 5], // "still processing" until the prompt times out
  ['9999', 5],
];

function phoneFor(i: number, r: () => number): string {
  let x = r() * 100;
  let suffix: string | null = null;
  for (const [s, w] of MIX) {
    x -= w;
    if (x < 0) {
      suffix = s;
      break;
    }
  }
  // Unique per i: 2547 + four digits of i + a four-digit suffix (magic, or 7xxx which is not).
  return `2547${String(i).padStart(4, '0')}${suffix ?? `7${String(i % 1000).padStart(3, '0')}`}`;
}

async function pool<T>(items: T[], n: number, fn: (x: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

describe(`soak: ${COUNT} purchases with faults and a worker restart`, () => {
  it('ends with every purchase final and every payment credited exactly once', async () => {
    const r = seededRandom(SEED + 1);
    const phones = Array.from({ length: COUNT }, (_, i) => phoneFor(i, r));
    const ids: string[] = [];
    const started = Date.now();
    // Time runs fast while purchases go in, so schedules, expiry and late checks all happen.
    let step = 2_000;
    const ticker = setInterval(() => clock.advance(step), 50);
    try {
      await pool(
        phones.map((p, i) => ({ p, i })),
        20,
        async ({ p, i }) => {
          const base = b && i % 2 ? b.url : a.url;
          const res = await fetch(`${base}/api/purchases`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ planId: 1 + (i % 4), phone: p }),
          });
          expect(res.status, await res.clone().text()).toBe(201);
          ids.push(((await res.json()) as { id: string }).id);
        },
      );

      const submitted = Date.now();
      process.stdout.write(
        `soak: ${COUNT} purchases submitted in ${((submitted - started) / 1000).toFixed(1)} s\n`,
      );
      // All in: let time run faster so expiry and the late checks (5 and 30 minutes) come soon.
      step = 6_000;
      // A worker dies half-way: stop it and start a fresh one in its place.
      await a.app.worker!.stop();
      const deps = a.app.deps;
      const replacement = new Worker({
        database: deps.database,
        clock,
        log: silentLog(),
        definitions: paymentsModule.jobs!(deps),
        recurring: paymentsModule.recurring!(deps),
        concurrency: 4,
        pollMs: 50,
      });
      await replacement.start();
      try {
        const deadline = Date.now() + 50_000;
        for (;;) {
          const pending = await query<{ n: number }>(
            deps.db,
            sql`SELECT count(*)::int AS n FROM purchases WHERE status = 'pending' OR (status = 'expired' AND next_check_at IS NOT NULL)`,
          );
          const unpaidMoney = [...a.sim.txns.values()]
            .filter((x) => x.resultCode === 0)
            .map((x) => x.checkoutRequestId);
          const paid = await query<{ n: number }>(
            deps.db,
            sql`SELECT count(*)::int AS n FROM purchases WHERE status = 'paid'`,
          );
          if (Number(pending[0]!.n) === 0 && Number(paid[0]!.n) >= unpaidMoney.length) break;
          if (Date.now() > deadline) break;
          await new Promise((res) => setTimeout(res, 100));
        }
      } finally {
        await replacement.stop();
      }
    } finally {
      clearInterval(ticker);
    }
    const db = a.app.deps.db;
    const rows = await query<{
      id: string;
      status: string;
      checkout_request_id: string | null;
      access_code_id: string | null;
    }>(db, sql`SELECT id, status, checkout_request_id, access_code_id FROM purchases`);
    expect(rows).toHaveLength(COUNT);
    const summary = await query(
      db,
      sql`SELECT status, (next_check_at IS NOT NULL) AS rechecks, count(*)::int AS n, max(check_attempts) AS max_checks
          FROM purchases GROUP BY 1, 2 ORDER BY 1, 2`,
    );
    const jobStats = await query(
      db,
      sql`SELECT kind, status, count(*)::int AS n, max(last_error) AS error FROM jobs GROUP BY 1, 2 ORDER BY 1, 2`,
    );
    process.stdout.write(
      `soak state: ${JSON.stringify(summary)} jobs ${JSON.stringify(jobStats)} sim ${JSON.stringify(a.sim.stats)}\n`,
    );
    const byCheckout = new Map(
      rows.filter((x) => x.checkout_request_id).map((x) => [x.checkout_request_id!, x]),
    );

    // Every purchase reached a final state.
    const stillPending = rows.filter((x) => x.status === 'pending');
    expect(stillPending).toEqual([]);

    // Money the simulator took is credited; money it did not take is not.
    let moneyMoved = 0;
    for (const txn of a.sim.txns.values()) {
      const p = byCheckout.get(txn.checkoutRequestId);
      expect(p, txn.checkoutRequestId).toBeDefined();
      if (txn.resultCode === 0) {
        moneyMoved++;
        expect(p!.status, `${txn.phone} paid but ${p!.status}`).toBe('paid');
      } else {
        expect(p!.status).not.toBe('paid');
      }
    }
    // Exactly one code and one SMS per paid purchase, and none for others.
    const paid = rows.filter((x) => x.status === 'paid');
    expect(paid.length).toBe(moneyMoved);
    const codes = await query<{ purchase_id: string; n: number }>(
      db,
      sql`SELECT purchase_id, count(*)::int AS n FROM access_codes GROUP BY purchase_id`,
    );
    expect(codes.length).toBe(paid.length);
    expect(codes.every((c) => Number(c.n) === 1)).toBe(true);
    for (const p of paid) expect(p.access_code_id).not.toBeNull();
    const sms = await query<{ n: number; d: number }>(
      db,
      sql`SELECT count(*)::int AS n, count(DISTINCT purchase_id)::int AS d FROM sms_messages`,
    );
    expect(Number(sms[0]!.n)).toBe(paid.length);
    expect(Number(sms[0]!.d)).toBe(paid.length);

    const stats = a.sim.stats;
    const outcomes = await query<{ outcome: string; n: number }>(
      db,
      sql`SELECT outcome, count(*)::int AS n FROM callback_inbox GROUP BY outcome ORDER BY outcome`,
    );
    // The faults really happened.
    expect(stats.dropped).toBeGreaterThan(0);
    expect(stats.duplicated).toBeGreaterThan(0);
    expect(outcomes.find((o) => o.outcome === 'duplicate')).toBeTruthy();
    process.stdout.write(
      `soak ${COUNT} (${t.url ? 'postgres, 2 nodes' : 'pglite'}): ${((Date.now() - started) / 1000).toFixed(1)} s, ` +
        `paid ${paid.length}, sim ${JSON.stringify(stats)}, inbox ${JSON.stringify(Object.fromEntries(outcomes.map((o) => [o.outcome, Number(o.n)])))}\n`,
    );
  }, 120_000);
});
