/**
 * The job catalogue (jobs/define.ts): every kind is declared once, in a feature's job-kinds.ts,
 * and everything that writes or runs a job goes through those declarations — the handlers the
 * modules register, the recurring schedules, every enqueue in src/, and the SQL functions that
 * call wavu_enqueue themselves. A payload that does not match its kind's schema is dead at once.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Deps } from '../../src/app/deps.ts';
import { moduleEntries } from '../../src/app/modules.ts';
import { query } from '../../src/db/open.ts';
import { defineJob, handler, type JobKind } from '../../src/jobs/define.ts';
import { enqueue } from '../../src/jobs/enqueue.ts';
import { pruneJobs } from '../../src/jobs/prune.ts';
import type { JobDefinition, RecurringJob } from '../../src/jobs/types.ts';
import { Worker } from '../../src/jobs/worker.ts';
import { ManualClock } from '../../src/lib/clock.ts';
import { silentLog, testConfig } from '../helpers/app.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';

const SRC = join(import.meta.dirname, '../../src');

function filesUnder(dir: string, test: (name: string) => boolean): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...filesUnder(path, test));
    else if (test(name)) out.push(path);
  }
  return out.sort();
}

const isKind = (v: unknown): v is JobKind<unknown> =>
  typeof v === 'object' &&
  v !== null &&
  typeof (v as JobKind<unknown>).kind === 'string' &&
  typeof (v as JobKind<unknown>).schema?.safeParse === 'function' &&
  typeof (v as JobKind<unknown>).maxAttempts === 'number';

/** Every exported kind of every job-kinds.ts: `file#EXPORT` → kind. */
async function catalogue(): Promise<Map<string, JobKind<unknown>>> {
  const all = new Map<string, JobKind<unknown>>();
  for (const file of filesUnder(SRC, (n) => n === 'job-kinds.ts')) {
    const mod: Record<string, unknown> = await import(file);
    for (const [name, v] of Object.entries(mod)) if (isKind(v)) all.set(`${relative(SRC, file)}#${name}`, v);
  }
  return all;
}

/** What the modules register (every module, simulators included, and the runner's own prune). */
async function registered(): Promise<{ definitions: JobDefinition[]; recurring: RecurringJob[] }> {
  const deps = { config: testConfig() } as unknown as Deps;
  const prune = pruneJobs(null as never, new ManualClock());
  const definitions = [prune.definition];
  const recurring = [prune.schedule];
  for (const e of moduleEntries) {
    const m = await e.load();
    definitions.push(...(m.jobs?.(deps) ?? []));
    recurring.push(...(m.recurring?.(deps) ?? []));
  }
  return { definitions, recurring };
}

describe('the job catalogue', () => {
  let kinds: Map<string, JobKind<unknown>>;
  let strings: Set<string>;
  beforeAll(async () => {
    kinds = await catalogue();
    strings = new Set([...kinds.values()].map((k) => k.kind));
  });

  it('declares every kind exactly once, frozen', () => {
    expect(kinds.size).toBeGreaterThan(20); // it found the files
    const byString = new Map<string, string[]>();
    for (const [where, k] of kinds) byString.set(k.kind, [...(byString.get(k.kind) ?? []), where]);
    const twice = [...byString].filter(([, where]) => where.length > 1);
    expect(twice).toEqual([]);
    for (const k of kinds.values()) expect(Object.isFrozen(k)).toBe(true);
  });

  it('has a declaration for every handler the modules register, and a handler for each kind once', async () => {
    const { definitions } = await registered();
    const kindsRun = definitions.map((d) => d.kind);
    expect(kindsRun.filter((k) => !strings.has(k))).toEqual([]);
    expect(kindsRun.filter((k, i) => kindsRun.indexOf(k) !== i)).toEqual([]);
    expect([...strings].filter((k) => !kindsRun.includes(k))).toEqual([]);
  });

  it('schedules declared kinds only, each with one attempt per slot', async () => {
    const { recurring } = await registered();
    expect(recurring.length).toBeGreaterThan(5);
    for (const r of recurring) {
      expect(strings.has(r.job.kind), r.job.kind).toBe(true);
      // A recurring run is retried by the next slot, not by the worker's backoff.
      expect(r.job.maxAttempts, r.job.kind).toBe(1);
    }
  });

  it('is what every enqueue in src/ names: no string kind is passed to enqueue', () => {
    const bad: string[] = [];
    for (const file of filesUnder(SRC, (n) => n.endsWith('.ts') && !n.endsWith('.test.ts'))) {
      if (file.endsWith('job-kinds.ts')) continue;
      const text = readFileSync(file, 'utf8');
      const rel = relative(SRC, file);
      // An enqueue given a spec object (the old API) or a string for its kind.
      for (const m of text.matchAll(/\benqueue(?:Sql)?\(\s*(?:[\w.]+\s*,\s*){0,2}(\{\s*kind\s*:|['"`])/g))
        bad.push(`${rel}: ${m[0]}`);
      // A declared kind's string written out elsewhere as a `kind:`.
      for (const m of text.matchAll(/\bkind\s*:\s*['"`]([^'"`]+)['"`]/g))
        if (strings.has(m[1]!)) bad.push(`${rel}: kind: '${m[1]}'`);
      // A row written in SQL with a literal kind.
      for (const m of text.matchAll(/wavu_enqueue\(\s*'([^']+)'/g))
        bad.push(`${rel}: wavu_enqueue('${m[1]}'`);
    }
    expect(bad).toEqual([]);
  });

  it('declares every kind the SQL functions enqueue', () => {
    const dirs = ['db/functions', 'db/migrations'];
    const found: { file: string; kind: string }[] = [];
    for (const d of dirs)
      for (const file of filesUnder(join(SRC, d), (n) => n.endsWith('.sql'))) {
        const text = readFileSync(file, 'utf8');
        for (const m of text.matchAll(/wavu_enqueue\(\s*'([^']+)'/g))
          found.push({ file: relative(SRC, file), kind: m[1]! });
      }
    expect(found.some((f) => f.file.startsWith('db/functions/'))).toBe(true); // it read them
    expect(found.filter((f) => !strings.has(f.kind))).toEqual([]);
  });
});

describe('defineJob and handler', () => {
  it('refuses a malformed kind or attempts, and freezes what it returns', () => {
    expect(() => defineJob('nodot', z.object({}))).toThrow(/bad job kind/);
    expect(() => defineJob('test.zero', z.object({}), { maxAttempts: 0 })).toThrow(/maxAttempts/);
    const k = defineJob('test.opts', z.object({}), { leaseMs: 5_000, backoff: { baseMs: 1, maxMs: 2 } });
    expect(k).toMatchObject({ kind: 'test.opts', maxAttempts: 12, leaseMs: 5_000 });
    expect(Object.isFrozen(k) && Object.isFrozen(k.backoff)).toBe(true);
    const d = handler(k, async () => {});
    expect(d).toMatchObject({
      kind: 'test.opts',
      maxAttempts: 12,
      leaseMs: 5_000,
      backoff: { baseMs: 1, maxMs: 2 },
    });
  });

  describe('on the database', () => {
    let t: TestDatabase;
    beforeAll(async () => {
      t = await createTestDatabase();
    });
    afterAll(async () => {
      await t.drop();
    });

    it('hands the parsed payload to the handler, and dead-letters one that does not parse', async () => {
      const clock = new ManualClock('2026-01-01T00:00:00Z');
      const K = defineJob('test.typed', z.object({ n: z.number().int() }), { maxAttempts: 5 });
      const seen: unknown[] = [];
      const w = new Worker({
        database: t.database,
        clock,
        log: silentLog(),
        definitions: [handler(K, async (p) => void seen.push(p))],
      });
      const good = (await enqueue(t.database.db, clock, K, { n: 7 }))!;
      // As a row written by older code, or by hand, might be.
      const bad = (await enqueue(t.database.db, clock, K, { n: 'seven' } as never))!;
      await w.drain();
      const rows = await query<{
        id: string;
        status: string;
        attempts: number;
        max_attempts: number;
        last_error: string | null;
      }>(
        t.database.db,
        sql`SELECT id, status, attempts, max_attempts, last_error FROM jobs WHERE kind = 'test.typed' ORDER BY id`,
      );
      expect(seen).toEqual([{ n: 7 }]);
      const byId = new Map(rows.map((r) => [Number(r.id), r]));
      expect(byId.get(good)).toMatchObject({ status: 'done', max_attempts: 5 });
      // Dead on its first attempt: a retry could not make it parse.
      expect(byId.get(bad)).toMatchObject({ status: 'dead', attempts: 1, max_attempts: 5 });
      expect(byId.get(bad)!.last_error).toMatch(/bad payload for test\.typed/);
    });
  });
});
