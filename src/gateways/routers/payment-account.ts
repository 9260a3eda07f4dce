import { sql } from 'drizzle-orm';
import { type Conn, query, type Tx } from '../../db/open.ts';

/** Which routers take their M-Pesa account from which payment account (routers with none left out). */
export async function routerPaymentAccounts(conn: Conn): Promise<{ routerId: number; accountId: number }[]> {
  const rows = await query<{ id: number; payment_account_id: number }>(
    conn,
    sql`SELECT id, payment_account_id FROM routers WHERE payment_account_id IS NOT NULL ORDER BY id`,
  );
  return rows.map((r) => ({ routerId: Number(r.id), accountId: Number(r.payment_account_id) }));
}

/**
 * Make `routerIds` exactly the routers paid into `accountId`, on the caller's transaction. Returns
 * the first id that is no router (the caller rolls back), or null.
 */
export async function assignRoutersToAccount(
  tx: Tx,
  accountId: number,
  routerIds: number[],
): Promise<number | null> {
  await query(tx, sql`UPDATE routers SET payment_account_id = NULL WHERE payment_account_id = ${accountId}`);
  for (const r of routerIds) {
    const hit = await query(
      tx,
      sql`UPDATE routers SET payment_account_id = ${accountId} WHERE id = ${r} RETURNING id`,
    );
    if (!hit.length) return r;
  }
  return null;
}
