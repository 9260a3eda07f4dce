/** The queue as an operator watches it: per kind, what is due and waiting, and what was given up on. */
import { sql } from 'drizzle-orm';
import { asDate, type Conn, query } from '../db/open.ts';

export interface QueueStats {
  kind: string;
  /** Due now (run_at reached) and not yet claimed; jobs scheduled for later are not waiting. */
  queued: number;
  /** Age of the oldest due job, seconds (0 when none is due). */
  oldestQueuedSeconds: number;
  /** Failed every attempt; kept until the prune job removes finished rows. */
  dead: number;
}

export async function queueStats(conn: Conn, now: Date): Promise<QueueStats[]> {
  const rows = await query<{ kind: string; queued: number; oldest: string | null; dead: number }>(
    conn,
    sql`SELECT kind,
               count(*) FILTER (WHERE status = 'queued' AND run_at <= ${now})::int AS queued,
               min(run_at) FILTER (WHERE status = 'queued' AND run_at <= ${now}) AS oldest,
               count(*) FILTER (WHERE status = 'dead')::int AS dead
        FROM jobs WHERE status IN ('queued', 'dead')
        GROUP BY kind ORDER BY kind`,
  );
  return rows.map((r) => ({
    kind: r.kind,
    queued: Number(r.queued),
    oldestQueuedSeconds: r.oldest ? Math.max(0, (now.getTime() - asDate(r.oldest).getTime()) / 1000) : 0,
    dead: Number(r.dead),
  }));
}
