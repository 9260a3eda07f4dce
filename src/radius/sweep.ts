import { sql } from 'drizzle-orm';
import type { Deps } from '../app/deps.ts';
import { query } from '../db/open.ts';

/**
 * Close RADIUS sessions the NAS has stopped reporting (lost Stop, router gone): no update for
 * `staleAfterSeconds` (3 × the interim interval we hand out). Their usage stays as last reported;
 * a later Interim for the same session reopens it (see accounting.ts).
 */
export async function sweepStaleSessions(deps: Deps, staleAfterSeconds: number): Promise<number> {
  const cutoff = new Date(deps.clock.now().getTime() - staleAfterSeconds * 1000);
  const rows = await query(
    deps.db,
    sql`UPDATE sessions SET status = 'closed', stopped_at = updated_at, terminate_cause = 'Stale'
        WHERE status = 'active' AND updated_at < ${cutoff}
          AND router_id IN (SELECT id FROM routers WHERE mode = 'radius')
        RETURNING id`,
  );
  if (rows.length) deps.log.info({ closed: rows.length }, 'closed stale RADIUS sessions');
  return rows.length;
}
