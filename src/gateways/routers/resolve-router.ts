import { sql } from 'drizzle-orm';
import { type Conn, query } from '../../db/open.ts';

/** The hotspot's `router` variable is the router's name in Wavu, or its numeric id. */
export async function resolveRouterId(conn: Conn, router: string | undefined): Promise<number | null> {
  if (!router) return null;
  const asId = /^\d{1,9}$/.test(router) ? Number(router) : -1;
  const rows = await query<{ id: number }>(
    conn,
    sql`SELECT id FROM routers WHERE enabled AND (name = ${router} OR id = ${asId}) ORDER BY (name = ${router}) DESC LIMIT 1`,
  );
  return rows[0] ? Number(rows[0].id) : null;
}
