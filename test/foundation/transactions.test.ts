/**
 * Every `db.transaction()` is run again after a deadlock or serialization failure. The conflicts
 * are made for real on PostgreSQL (PGlite is one connection and never raises them); the bounds of
 * the retry are checked on both engines.
 */
import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { pgErrorCode, query, retryTransaction, type Tx } from '../../src/db/open.ts';
import { createTestDatabase, onPostgres, type TestDatabase } from '../helpers/db.ts';

/** Resolves for everyone once `n` have arrived; later arrivals (a retried body) pass at once. */
function barrier(n: number) {
  let arrived = 0;
  let open!: () => void;
  const opened = new Promise<void>((r) => {
    open = r;
  });
  return () => {
    if (++arrived >= n) open();
    return opened;
  };
}

const pgError = (code: string) => Object.assign(new Error(`sqlstate ${code}`), { code });

describe('retryTransaction', () => {
  it('runs again after 40001 / 40P01, at most `attempts` times in all', async () => {
    let runs = 0;
    const flaky = () => {
      runs++;
      return runs < 3 ? Promise.reject(pgError(runs === 1 ? '40P01' : '40001')) : Promise.resolve('ok');
    };
    expect(await retryTransaction(flaky, { baseDelayMs: 1 })).toBe('ok');
    expect(runs).toBe(3);

    runs = 0;
    const always = () => {
      runs++;
      return Promise.reject(pgError('40P01'));
    };
    await expect(retryTransaction(always, { attempts: 4, baseDelayMs: 1 })).rejects.toThrow('40P01');
    expect(runs).toBe(4);
  });

  it('never repeats any other failure', async () => {
    let runs = 0;
    const unique = () => {
      runs++;
      return Promise.reject(pgError('23505'));
    };
    await expect(retryTransaction(unique, { baseDelayMs: 1 })).rejects.toThrow('23505');
    expect(runs).toBe(1);
  });
});

describe.skipIf(!onPostgres())('transactions on PostgreSQL', () => {
  let t: TestDatabase;
  /** A second, plain Drizzle on the same database: its transaction() has no retry of its own. */
  let plainPool: pg.Pool;
  let plain: ReturnType<typeof drizzle>;
  beforeAll(async () => {
    t = await createTestDatabase();
    await t.database.db.execute(sql`CREATE TABLE retry_t (id int PRIMARY KEY, v int NOT NULL)`);
    plainPool = new pg.Pool({ connectionString: t.url });
    // As the app's own pool does (src/db/open.ts): a client that loses its connection while the
    // pool winds down (the database is dropped WITH (FORCE) right after) must not be an uncaught
    // error that fails the whole run.
    plainPool.on('error', () => {});
    plain = drizzle(plainPool);
  });
  beforeEach(async () => {
    await t.database.db.execute(sql`DELETE FROM retry_t`);
    await t.database.db.execute(sql`INSERT INTO retry_t (id, v) VALUES (1, 0), (2, 0)`);
  });
  afterAll(async () => {
    await plainPool?.end();
    await t?.drop();
  });

  /**
   * Two transactions that each update one row and then the other's: both hold their first row
   * before either asks for its second, so PostgreSQL must kill one of them (40P01).
   */
  const crossing = () => {
    const bothHoldOne = barrier(2);
    let runs = 0;
    const side = (first: number, second: number) => async (tx: Tx) => {
      runs++;
      await tx.execute(sql`SET LOCAL deadlock_timeout = '50ms'`);
      await tx.execute(sql`UPDATE retry_t SET v = v + 1 WHERE id = ${first}`);
      await bothHoldOne();
      await tx.execute(sql`UPDATE retry_t SET v = v + 1 WHERE id = ${second}`);
    };
    return { a: side(1, 2), b: side(2, 1), runs: () => runs };
  };

  it('the helper turns a real deadlock into a second run that succeeds', async () => {
    const once = crossing();
    const results = await Promise.allSettled([
      retryTransaction(() => plain.transaction(once.a as never), { attempts: 1 }),
      retryTransaction(() => plain.transaction(once.b as never), { attempts: 1 }),
    ]);
    // Without a retry, one side fails with deadlock_detected.
    const failed = results.filter((r) => r.status === 'rejected');
    expect(failed).toHaveLength(1);
    expect(pgErrorCode((failed[0] as PromiseRejectedResult).reason)).toBe('40P01');

    await t.database.db.execute(sql`UPDATE retry_t SET v = 0`);
    const retried = crossing();
    await Promise.all([
      retryTransaction(() => plain.transaction(retried.a as never)),
      retryTransaction(() => plain.transaction(retried.b as never)),
    ]);
    expect(retried.runs()).toBe(3);
    const rows = await query<{ v: number }>(t.database.db, sql`SELECT v FROM retry_t ORDER BY id`);
    expect(rows.map((r) => r.v)).toEqual([2, 2]);
  });

  it('db.transaction() itself retries a deadlock', async () => {
    const c = crossing();
    await Promise.all([t.database.db.transaction(c.a), t.database.db.transaction(c.b)]);
    expect(c.runs()).toBe(3);
    const rows = await query<{ v: number }>(t.database.db, sql`SELECT v FROM retry_t ORDER BY id`);
    expect(rows.map((r) => r.v)).toEqual([2, 2]);
  });

  it('db.transaction() retries a serialization failure (SERIALIZABLE write skew)', async () => {
    // Each reads the total, then adds a row carrying it: run serially the second sees the first's
    // row, so committing both as they ran is impossible and one is aborted with 40001.
    // The second side writes only once the first has committed. Otherwise PostgreSQL may abort it
    // while the first is still open, and its retry can read the old total and be aborted again:
    // a legal fourth run that made this test flaky.
    const bothRead = barrier(2);
    let firstCommitted!: () => void;
    const committed = new Promise<void>((r) => {
      firstCommitted = r;
    });
    let runs = 0;
    const side = (id: number, writeAfter?: Promise<void>) =>
      t.database.db.transaction(
        async (tx) => {
          runs++;
          const [s] = await query<{ n: number }>(tx, sql`SELECT count(*)::int AS n FROM retry_t`);
          await bothRead();
          await writeAfter;
          await tx.execute(sql`INSERT INTO retry_t (id, v) VALUES (${id}, ${s!.n})`);
        },
        { isolationLevel: 'serializable' },
      );
    await Promise.all([side(3).then(firstCommitted), side(4, committed)]);
    expect(runs).toBe(3);
    const rows = await query<{ v: number }>(
      t.database.db,
      sql`SELECT v FROM retry_t WHERE id > 2 ORDER BY v`,
    );
    expect(rows.map((r) => r.v)).toEqual([2, 3]);
  });
});
