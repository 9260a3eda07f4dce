/**
 * The job runner across real separate connections (two "nodes") and a real process crash.
 * PostgreSQL only: PGlite is one connection in one process, so there is nothing to race.
 */
import { spawn } from 'node:child_process';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { query } from '../../src/db/open.ts';
import { enqueue } from '../../src/jobs/enqueue.ts';
import { Worker } from '../../src/jobs/worker.ts';
import { ManualClock, systemClock } from '../../src/lib/clock.ts';
import { silentLog } from '../helpers/app.ts';
import { createTestDatabase, onPostgres, type TestDatabase } from '../helpers/db.ts';
import { defineJob } from '../../src/jobs/define.ts';
import { z } from 'zod';

const TEST_COUNT = defineJob('test.count', z.unknown());
const TEST_HANG = defineJob('test.hang', z.unknown());

/** The crashed worker's lease. */
const LEASE_MS = 10 * 60_000;

describe.skipIf(!onPostgres())('job runner on PostgreSQL', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
    await t.database.db.execute(sql`CREATE TABLE job_runs (job_id bigint NOT NULL, worker text NOT NULL)`);
  });
  afterAll(async () => {
    await t?.drop();
  });

  it('two workers on separate connections never run the same job twice', async () => {
    const N = 300;
    for (let i = 0; i < N; i += 50) {
      await t.database.db.transaction(async (tx) => {
        for (let j = i; j < i + 50; j++) await enqueue(tx, systemClock, TEST_COUNT, { j });
      });
    }
    const mk = async (name: string) => {
      const database = await t.openAnother();
      return new Worker({
        id: name,
        database,
        clock: systemClock,
        log: silentLog(),
        concurrency: 8,
        pollMs: 20,
        definitions: [
          {
            kind: 'test.count',
            async handle(_p, ctx) {
              // Written on its own connection, outside the claim: a second run would add a second row.
              await database.db.execute(sql`INSERT INTO job_runs VALUES (${ctx.job.id}, ${name})`);
              await new Promise((r) => setTimeout(r, Math.random() * 3));
            },
          },
        ],
      });
    };
    const [a, b] = await Promise.all([mk('A'), mk('B')]);
    await Promise.all([a.start(), b.start()]);
    const deadline = Date.now() + 60_000;
    for (;;) {
      const [row] = await query<{ n: number }>(
        t.database.db,
        sql`SELECT count(*)::int AS n FROM jobs WHERE kind = 'test.count' AND status = 'done'`,
      );
      if (row!.n === N || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await Promise.all([a.stop(), b.stop()]);
    const runs = await query<{ job_id: number; n: number }>(
      t.database.db,
      sql`SELECT job_id, count(*)::int AS n FROM job_runs GROUP BY job_id`,
    );
    expect(runs).toHaveLength(N);
    expect(runs.filter((r) => r.n !== 1)).toEqual([]);
    const byWorker = await query<{ worker: string; n: number }>(
      t.database.db,
      sql`SELECT worker, count(*)::int AS n FROM job_runs GROUP BY worker ORDER BY worker`,
    );
    // Both took part; otherwise this test would prove nothing about contention.
    expect(byWorker.map((r) => r.worker)).toEqual(['A', 'B']);
  });

  it('a job whose worker is killed mid-run is retried by another worker', async () => {
    const id = (await enqueue(t.database.db, systemClock, TEST_HANG, {}, { maxAttempts: 5 }))!;
    const child = spawn(
      process.execPath,
      // A 10-minute lease: the take-over below must come from moving the clock, not from waiting.
      ['--import', 'tsx', 'test/helpers/hanging-worker.ts', t.url!, String(LEASE_MS)],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        if (d.toString().includes(`claimed ${id}`)) resolve();
      });
      child.on('exit', (code) => reject(new Error(`child exited early (${code})`)));
    });
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));

    const ran: number[] = [];
    let taken!: () => void;
    const takenOver = new Promise<void>((r) => {
      taken = r;
    });
    const database = await t.openAnother();
    const w = new Worker({
      database,
      // Another node whose clock reads past the dead worker's lease.
      clock: new ManualClock(Date.now() + LEASE_MS + 60_000),
      log: silentLog(),
      pollMs: 100,
      definitions: [
        {
          kind: 'test.hang',
          async handle(_p, ctx) {
            ran.push(ctx.job.attempts);
            taken();
          },
        },
      ],
    });
    await w.start();
    await takenOver;
    await w.stop();
    expect(ran).toEqual([2]);
    const [row] = await query<{ status: string; attempts: number }>(
      t.database.db,
      sql`SELECT status, attempts FROM jobs WHERE id = ${id}`,
    );
    expect(row).toEqual({ status: 'done', attempts: 2 });
  });
});
