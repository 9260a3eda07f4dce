import { type SQL, sql } from 'drizzle-orm';
import { type Conn, query } from '../db/open.ts';
import type { Clock } from '../lib/clock.ts';
import type { EnqueueOptions, JobKind } from './types.ts';

export const JOBS_CHANNEL = 'wavu_jobs';

/**
 * Write a job row on `conn`. Called inside the caller's transaction, the job exists exactly when
 * the change that caused it commits (DESIGN.md invariant 3). The NOTIFY is delivered on commit and
 * wakes idle workers at once, so a grant does not wait for the next poll. Both are one statement,
 * wavu_enqueue (migration 0940), which SQL-side use cases call too. The payload is checked against
 * the kind's schema by the compiler, and parsed by the worker before the handler sees it.
 */
export async function enqueue<P>(
  conn: Conn,
  clock: Clock,
  job: JobKind<P>,
  payload: NoInfer<P>,
  opts: EnqueueOptions = {},
): Promise<number | null> {
  const [row] = await query<{ id: number | string | null }>(
    conn,
    sql`SELECT ${enqueueSql(job, payload, clock.now(), opts)} AS id`,
  );
  const id = row?.id ?? null;
  return id === null ? null : Number(id);
}

/**
 * The same enqueue as an SQL expression (the job's id, or null for a key already taken), for a
 * statement that writes the job beside the change that causes it: in the RETURNING of that
 * change's INSERT or UPDATE, it runs once per row written and not at all when none is, and the
 * job costs no round trip of its own. Its NOTIFY is inside wavu_enqueue.
 */
export function enqueueSql<P>(
  job: JobKind<P>,
  payload: NoInfer<P>,
  now: Date,
  opts: EnqueueOptions = {},
): SQL {
  return sql`wavu_enqueue(${job.kind}, ${JSON.stringify(payload ?? {})}::jsonb, ${opts.runAt ?? now}::timestamptz,
                          ${opts.maxAttempts ?? job.maxAttempts}::int, ${opts.key ?? null}::text, ${now}::timestamptz)`;
}

/** A job to write later (built by one function, enqueued by another, as grants and expiries are). */
export interface JobSpec<P> {
  job: JobKind<P>;
  payload: P;
  opts?: EnqueueOptions;
}

/** enqueueSql of a JobSpec. */
export const enqueueSpecSql = <P>(s: JobSpec<P>, now: Date): SQL => enqueueSql(s.job, s.payload, now, s.opts);
