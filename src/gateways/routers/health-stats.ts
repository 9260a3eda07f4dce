/** Routers as the metrics endpoint reports them: up or not, and when each was last heard from. */
import { sql } from 'drizzle-orm';
import { asDate, type Conn, query } from '../../db/open.ts';

export interface RouterHealthStat {
  name: string;
  mode: string;
  up: boolean;
  /** Last answer, RADIUS packet or agent poll, whichever is latest; null if never heard from. */
  lastContact: Date | null;
}

export async function routerHealthStats(conn: Conn): Promise<RouterHealthStat[]> {
  const rows = await query<{ name: string; mode: string; status: string; last: string | null }>(
    conn,
    sql`SELECT name, mode, status, GREATEST(last_seen_at, agent_polled_at) AS last
        FROM routers WHERE enabled ORDER BY name`,
  );
  return rows.map((r) => ({
    name: r.name,
    mode: r.mode,
    up: r.status === 'up',
    lastContact: r.last ? asDate(r.last) : null,
  }));
}
