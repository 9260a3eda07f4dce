import { sql } from 'drizzle-orm';
import type { Conn } from '../../db/open.ts';

/**
 * The router could not be asked: its sessions stay open as last reported (the device is most
 * likely still online behind a router we cannot see), marked stale from the first failure on.
 * The next good report clears the mark or closes what has gone.
 */
export async function markSessionsStale(conn: Conn, routerId: number, now: Date): Promise<void> {
  await conn.execute(
    sql`UPDATE sessions SET stale_since = ${now}
        WHERE router_id = ${routerId} AND status = 'active' AND stale_since IS NULL`,
  );
}
