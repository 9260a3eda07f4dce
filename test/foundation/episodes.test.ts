/**
 * Repeating problems are logged at warn once per episode: the first failure, then "recovered",
 * not every retry. Read from the logger's own output, as an operator would.
 */
import { sql } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { query } from '../../src/db/open.ts';
import { healthCheckAll } from '../../src/gateways/jobs.ts';
import { pollRouterSessions } from '../../src/gateways/sessions/poll-router-sessions.ts';
import { enqueue } from '../../src/jobs/enqueue.ts';
import { Worker } from '../../src/jobs/worker.ts';
import { ManualClock } from '../../src/lib/clock.ts';
import { createLogger } from '../../src/lib/log.ts';
import { harness } from '../gateways/helpers.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { defineJob } from '../../src/jobs/define.ts';
import { z } from 'zod';

const TEST_FLAKY = defineJob('test.flaky', z.unknown());
const TEST_ONCE = defineJob('test.once', z.unknown());

interface Line {
  level: number;
  msg: string;
  kind?: string;
  router?: string;
  failures?: number;
}

function captured() {
  const lines: Line[] = [];
  const log = createLogger('debug', { write: (s: string) => lines.push(JSON.parse(s)) > 0 });
  const loud = () => lines.filter((l) => l.level >= pino.levels.values.warn!);
  return { log, lines, loud };
}

describe('job failures', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(async () => {
    await t.drop();
  });

  it('warn on the first failure of a kind, debug on the retries, warn once when it works again', async () => {
    const clock = new ManualClock();
    const c = captured();
    let failuresLeft = 4;
    const w = new Worker({
      database: t.database,
      clock,
      log: c.log,
      definitions: [
        {
          kind: 'test.flaky',
          maxAttempts: 10,
          backoff: { baseMs: 1000, maxMs: 1000 },
          async handle() {
            if (failuresLeft-- > 0) throw new Error('provider said no');
          },
        },
      ],
    });
    await enqueue(t.database.db, clock, TEST_FLAKY, {});
    for (let i = 0; i < 6; i++) {
      await w.drain();
      clock.advance(1000);
    }
    const done = await query<{ n: number }>(
      t.database.db,
      sql`SELECT count(*)::int AS n FROM jobs WHERE kind = 'test.flaky' AND status = 'done'`,
    );
    expect(done[0]?.n).toBe(1);
    expect(c.loud().map((l) => [l.level, l.msg, l.kind])).toEqual([
      [40, 'job failed; will retry', 'test.flaky'],
      [40, 'jobs of this kind work again', 'test.flaky'],
    ]);
    expect(c.loud()[1]!.failures).toBe(4);
    // The retries were not lost, only quieter.
    expect(c.lines.filter((l) => l.level === 20 && l.msg === 'job failed; will retry')).toHaveLength(3);
  });

  it('a dead job is an error every time, and its kind recovering is said once', async () => {
    const clock = new ManualClock();
    const c = captured();
    let fail = true;
    const w = new Worker({
      database: t.database,
      clock,
      log: c.log,
      definitions: [
        {
          kind: 'test.once',
          maxAttempts: 1,
          async handle() {
            if (fail) throw new Error('boom');
          },
        },
      ],
    });
    await enqueue(t.database.db, clock, TEST_ONCE, {}, { maxAttempts: 1 });
    await enqueue(t.database.db, clock, TEST_ONCE, {}, { maxAttempts: 1 });
    await w.drain();
    fail = false;
    await enqueue(t.database.db, clock, TEST_ONCE, {}, { maxAttempts: 1 });
    await enqueue(t.database.db, clock, TEST_ONCE, {}, { maxAttempts: 1 });
    await w.drain();
    expect(c.loud().map((l) => [l.level, l.msg])).toEqual([
      [50, 'job failed for good'],
      [50, 'job failed for good'],
      [40, 'jobs of this kind work again'],
    ]);
  });
});

describe('router problems', () => {
  it('a router down through many health checks and polls is one warning, and one when it is back', async () => {
    const c = captured();
    const h = await harness({ log: c.log });
    try {
      const deps = h.app.deps;
      await healthCheckAll(deps);
      expect(c.loud()).toEqual([]); // fine from the start: nothing to say
      h.sim.setFault('down');
      for (let i = 0; i < 3; i++) {
        await healthCheckAll(deps);
        await pollRouterSessions(deps, h.routerId);
        h.clock.advance(30_000);
      }
      expect(c.loud().map((l) => [l.level, l.msg, l.router])).toEqual([[40, 'router not answering', 'r1']]);
      h.sim.setFault('none');
      await healthCheckAll(deps);
      await pollRouterSessions(deps, h.routerId);
      await healthCheckAll(deps);
      expect(c.loud().map((l) => [l.level, l.msg, l.router])).toEqual([
        [40, 'router not answering', 'r1'],
        [40, 'router answers again', 'r1'],
      ]);
      expect(c.loud()[1]!.failures).toBe(6);
    } finally {
      await h.close();
    }
  });
});
