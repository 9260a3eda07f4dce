import { type SQL, sql } from 'drizzle-orm';
import { type Conn, query } from '../db/open.ts';
import type { Clock } from '../lib/clock.ts';
import type { EnqueueSpec } from './types.ts';

export const JOBS_CHANNEL = 'wavu_jobs';

/**
 * Write a job row on `conn`. Called inside the caller's transaction, the job exists exactly when
 * the change that caused it commits (DESIGN.md invariant 3). The NOTIFY is delivered on commit and
 * wakes idle workers at once, so a grant does not wait for the next poll. Both are one statement,
 * wavu_enqueue (migration 0940), which SQL-side use cases call too.
 */
export async function enqueue(conn: Conn, clock: Clock, spec: EnqueueSpec): Promise<number | null> {
  const [row] = await query<{ id: number | string | null }>(
    conn,
    sql`SELECT ${enqueueSql(spec, clock.now())} AS id`,
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
export function enqueueSql(spec: EnqueueSpec, now: Date): SQL {
  return sql`wavu_enqueue(${spec.kind}, ${JSON.stringify(spec.payload ?? {})}::jsonb, ${spec.runAt ?? now}::timestamptz,
                          ${spec.maxAttempts ?? 12}::int, ${spec.key ?? null}::text, ${now}::timestamptz)`;
}
