import { sql } from 'drizzle-orm';
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
  const now = clock.now();
  const [row] = await query<{ id: number | string | null }>(
    conn,
    sql`SELECT wavu_enqueue(${spec.kind}, ${JSON.stringify(spec.payload ?? {})}::jsonb, ${spec.runAt ?? now},
                            ${spec.maxAttempts ?? 12}, ${spec.key ?? null}, ${now}) AS id`,
  );
  const id = row?.id ?? null;
  return id === null ? null : Number(id);
}
