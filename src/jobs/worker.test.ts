import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/db.ts';
import { silentLog } from '../../test/helpers/app.ts';
import { asDate, query } from '../db/open.ts';
import { ManualClock } from '../lib/clock.ts';
import { enqueue } from './enqueue.ts';
import { PermanentJobError, RetryLater } from './types.ts';
import { backoffMs, Worker } from './worker.ts';
import { defineJob } from './define.ts';
import { z } from 'zod';

const TEST_JOB = defineJob('test.job', z.unknown());

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t.drop();
});
beforeEach(async () => {
  await t.database.db.execute(sql`DELETE FROM jobs`);
});

const jobRow = async (id: number) =>
  (
    await query<{ status: string; attempts: number; run_at: unknown; last_error: string | null }>(
      t.database.db,
      sql`SELECT status, attempts, run_at, last_error FROM jobs WHERE id = ${id}`,
    )
  )[0]!;

function worker(
  clock: ManualClock,
  handle: (p: any) => Promise<void>,
  extra: Partial<ConstructorParameters<typeof Worker>[0]> = {},
) {
  return new Worker({
    database: t.database,
    clock,
    log: silentLog(),
    definitions: [{ kind: 'test.job', handle, maxAttempts: 3, backoff: { baseMs: 1000, maxMs: 10_000 } }],
    ...extra,
  });
}

describe('job queue', () => {
  it('runs a job once and marks it done', async () => {
    const clock = new ManualClock();
    const seen: unknown[] = [];
    const id = (await enqueue(t.database.db, clock, TEST_JOB, { n: 1 }))!;
    const w = worker(clock, async (p) => {
      seen.push(p);
    });
    expect(await w.drain()).toBe(1);
    expect(await w.drain()).toBe(0);
    expect(seen).toEqual([{ n: 1 }]);
    expect((await jobRow(id)).status).toBe('done');
  });

  it('does not run a job before its run_at', async () => {
    const clock = new ManualClock();
    let runs = 0;
    await enqueue(t.database.db, clock, TEST_JOB, {}, { runAt: new Date(clock.now().getTime() + 60_000) });
    const w = worker(clock, async () => {
      runs++;
    });
    await w.drain();
    expect(runs).toBe(0);
    clock.advance(60_000);
    await w.drain();
    expect(runs).toBe(1);
  });

  it('treats a repeated idempotency key as a no-op', async () => {
    const clock = new ManualClock();
    const a = await enqueue(t.database.db, clock, TEST_JOB, {}, { key: 'grant:abc' });
    const b = await enqueue(t.database.db, clock, TEST_JOB, {}, { key: 'grant:abc' });
    expect(a).toBeTypeOf('number');
    expect(b).toBeNull();
  });

  it('writes nothing when the enqueuing transaction rolls back', async () => {
    const clock = new ManualClock();
    await expect(
      t.database.db.transaction(async (tx) => {
        await enqueue(tx, clock, TEST_JOB, {}, { key: 'rolled-back' });
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    const rows = await query(t.database.db, sql`SELECT 1 FROM jobs WHERE idempotency_key = 'rolled-back'`);
    expect(rows).toHaveLength(0);
  });

  it('retries with backoff, then goes dead after max attempts', async () => {
    const clock = new ManualClock();
    const id = (await enqueue(t.database.db, clock, TEST_JOB, {}, { maxAttempts: 3 }))!;
    let runs = 0;
    const w = worker(clock, async () => {
      runs++;
      throw new Error(`fail ${runs}`);
    });
    await w.drain();
    let row = await jobRow(id);
    expect(row).toMatchObject({ status: 'queued', attempts: 1, last_error: 'fail 1' });
    expect(asDate(row.run_at).getTime()).toBeGreaterThan(clock.now().getTime());
    await w.drain(); // not due yet
    expect(runs).toBe(1);
    clock.advance(60_000);
    await w.drain();
    clock.advance(60_000);
    await w.drain();
    row = await jobRow(id);
    expect(runs).toBe(3);
    expect(row).toMatchObject({ status: 'dead', attempts: 3, last_error: 'fail 3' });
  });

  it('a job whose worker died on its last attempt runs once more; dying again makes it dead', async () => {
    const clock = new ManualClock();
    // As a worker killed mid-run leaves it: running, its lease lapsed, on attempt `attempts`.
    const diedOn = async (attempts: number) => {
      const id = (await enqueue(t.database.db, clock, TEST_JOB, {}, { maxAttempts: 3 }))!;
      await t.database.db.execute(
        sql`UPDATE jobs SET status = 'running', attempts = ${attempts}, locked_by = 'killed',
                   locked_until = ${new Date(clock.now().getTime() - 1)} WHERE id = ${id}`,
      );
      return id;
    };
    const once = await diedOn(3);
    const ran: number[] = [];
    const w = worker(clock, async () => {
      ran.push(1);
    });
    expect(await w.drain()).toBe(1);
    expect(ran).toEqual([1]);
    expect(await jobRow(once)).toMatchObject({ status: 'done', attempts: 4 });

    const twice = await diedOn(4);
    await w.drain();
    expect(ran).toEqual([1]);
    expect(await jobRow(twice)).toMatchObject({
      status: 'dead',
      attempts: 5,
      last_error: 'lease expired twice on the last attempt',
    });
  });

  it('honours RetryLater and PermanentJobError', async () => {
    const clock = new ManualClock();
    const later = (await enqueue(t.database.db, clock, TEST_JOB, { mode: 'later' }))!;
    const perm = (await enqueue(t.database.db, clock, TEST_JOB, { mode: 'perm' }))!;
    const w = worker(clock, async (p) => {
      if (p.mode === 'later') throw new RetryLater(20_000, 'router busy');
      throw new PermanentJobError('bad payload');
    });
    await w.drain();
    expect((await jobRow(perm)).status).toBe('dead');
    const row = await jobRow(later);
    expect(row.status).toBe('queued');
    expect(asDate(row.run_at).getTime()).toBe(clock.now().getTime() + 20_000);
  });

  it('creates one recurring job per slot however many workers tick', async () => {
    const clock = new ManualClock('2026-01-01T00:00:05Z');
    let runs = 0;
    const mk = () =>
      worker(
        clock,
        async () => {
          runs++;
        },
        { recurring: [{ job: TEST_JOB, everyMs: 60_000 }] },
      );
    const [a, b] = [mk(), mk()];
    await Promise.all([a.drain(), b.drain(), a.drain()]);
    expect(runs).toBe(1);
    clock.advance(60_000);
    await Promise.all([b.drain(), a.drain()]);
    expect(runs).toBe(2);
  });

  it('a started worker picks up a job as soon as it is enqueued', async () => {
    const clock = new ManualClock();
    let resolve!: () => void;
    const ran = new Promise<void>((r) => {
      resolve = r;
    });
    const w = worker(clock, async () => resolve(), { pollMs: 60_000 });
    await w.start();
    try {
      await enqueue(t.database.db, clock, TEST_JOB, {});
      await ran;
      // Woken by the commit notification, not by the (minute-long) poll.
      expect(w.wakeups).toEqual({ notify: 1, due: 0, poll: 0 });
    } finally {
      await w.stop();
    }
  });

  it('an idle worker waits until the next job of its kinds falls due, not a whole poll', async () => {
    const clock = new ManualClock('2026-03-01T00:00:00Z');
    const w = worker(clock, async () => {}, { pollMs: 1_000 });
    expect(await w.nextDue()).toBeNull();
    await enqueue(t.database.db, clock, TEST_JOB, {}, { runAt: new Date(clock.now().getTime() + 5_000) });
    // Beyond the poll: the poll comes first.
    expect(await w.nextDue()).toBeNull();
    clock.advance(4_700);
    expect(await w.nextDue()).toEqual({ inMs: 301 });
    // Woken for it and still not claimable (the clock did not move): the poll takes over, no spin.
    expect(await w.nextDue()).toBeNull();
    clock.advance(300);
    expect(await w.drain()).toBe(1);
  });

  it('runs no more of a kind at once than its maxRunning, and other kinds beside it', async () => {
    const clock = new ManualClock();
    const SLOW_JOB = defineJob('test.slow', z.unknown(), { maxRunning: 1 });
    let running = 0;
    let most = 0;
    const released: (() => void)[] = [];
    const slowDone: Promise<void>[] = [];
    const fastDone: Promise<void>[] = [];
    const fastRan: (() => void)[] = [];
    for (let i = 0; i < 3; i++) await enqueue(t.database.db, clock, SLOW_JOB, { i });
    for (let i = 0; i < 2; i++) {
      fastDone.push(new Promise((r) => fastRan.push(r)));
      await enqueue(t.database.db, clock, TEST_JOB, { i });
    }
    const w = new Worker({
      database: t.database,
      clock,
      log: silentLog(),
      concurrency: 4,
      pollMs: 60_000,
      definitions: [
        { kind: 'test.job', handle: async (p: { i: number }) => fastRan[p.i]!() },
        {
          kind: 'test.slow',
          maxRunning: 1,
          handle: async () => {
            most = Math.max(most, ++running);
            let release!: () => void;
            slowDone.push(new Promise((r) => (release = r)));
            await new Promise<void>((r) => released.push(r));
            running--;
            release();
          },
        },
      ],
    });
    await w.start();
    try {
      // Both quick jobs run while the first slow one still holds its slot.
      await Promise.all(fastDone);
      expect(released).toHaveLength(1);
      for (let i = 0; i < 3; i++) {
        while (released.length <= i) await new Promise((r) => setImmediate(r));
        released[i]!();
        await slowDone[i];
      }
      expect(most).toBe(1);
    } finally {
      await w.stop();
    }
  });

  it('backoff grows and stays within its bounds', () => {
    const b = { baseMs: 1000, maxMs: 60_000 };
    expect(backoffMs(1, b, () => 0)).toBe(500);
    expect(backoffMs(1, b, () => 1)).toBe(1000);
    expect(backoffMs(3, b, () => 1)).toBe(4000);
    expect(backoffMs(30, b, () => 1)).toBe(60_000);
  });
});
