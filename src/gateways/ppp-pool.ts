/**
 * The router-side name of the expired pool: where a PPPoE subscriber who has not paid gets an
 * address (RADIUS Framed-Pool), and the PPP profile api-mode routers move them to. It is a name on
 * the router, so the gateways own it; the operator changes it with the `ppp_expired_pool` setting.
 */
import { sql } from 'drizzle-orm';
import { type Conn, query } from '../db/open.ts';

export const EXPIRED_POOL_SETTING = 'ppp_expired_pool';
export const DEFAULT_EXPIRED_POOL = 'wavu-expired';

/** The setting as text (`#>>`), as the RADIUS and sync paths read it in their own statements. */
export async function expiredPoolName(conn: Conn): Promise<string> {
  const [r] = await query<{ pool: string | null }>(
    conn,
    sql`SELECT value #>> '{}' AS pool FROM settings WHERE key = ${EXPIRED_POOL_SETTING}`,
  );
  return r?.pool || DEFAULT_EXPIRED_POOL;
}
