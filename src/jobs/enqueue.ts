import { sql } from 'drizzle-orm';
import { type Conn, query } from '../db/open.ts';
import type { Clock } from '../lib/clock.ts';
import type { EnqueueSpec } from './types.ts';

export const JOBS_CHANNEL = 'wavu_jobs';

/**
 * Write a job row on `conn`. Called inside the caller's transaction, the job exists exactly when
 * the change that caused it commits (DESIGN.md invariant 3). The NOTIFY is delivered on commit and
 * wakes idle workers at once, so a grant does not wait for the next poll.
 */
export async function enqueue(conn: Conn, clock: Clock, spec: EnqueueSpec): Promise<number | null> {
  const now = clock.now();
  const rows = await query<{ id: number }>(
    conn,
    sql`INSERT INTO jobs (kind, payload, run_at, max_attempts, idempotency_key, created_at, updated_at)
        VALUES (${spec.kind}, ${JSON.stringify(spec.payload ?? {})}::jsonb, ${spec.runAt ?? now},
                ${spec.maxAttempts ?? 12}, ${spec.key ?? null}, ${now}, ${now})
        ON CONFLICT (idempotency_key) DO NOTHING
        RETURNING id`,
  );
  const id = rows[0]?.id ?? null;
  if (id !== null) await conn.execute(sql`SELECT pg_notify(${JOBS_CHANNEL}, ${spec.kind})`);
  return id === null ? null : Number(id);
}
