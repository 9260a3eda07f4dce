import { sql } from 'drizzle-orm';
import { type Conn, query } from '../db/open.ts';

/**
 * Is this MAC bound to a code that may still have time? Read only (no activation, no binding): it
 * only decides whether to ask the router about the device at all.
 */
export async function macHasLiveCode(conn: Conn, mac: string): Promise<boolean> {
  const rows = await query<{ ok: boolean }>(
    conn,
    sql`SELECT EXISTS (SELECT 1 FROM access_devices d JOIN access_codes c ON c.id = d.access_code_id
                       WHERE d.mac = ${mac} AND c.status IN ('issued', 'active')) AS ok`,
  );
  return rows[0]?.ok === true;
}
