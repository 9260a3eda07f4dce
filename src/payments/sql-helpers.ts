import { type SQL, sql } from 'drizzle-orm';
import type { Conn } from '../db/open.ts';

/** `a, b, c` as bound parameters, for `IN (…)`. */
export const inList = (values: readonly string[]): SQL =>
  sql.join(
    values.map((v) => sql`${v}`),
    sql`, `,
  );

export const PURCHASES_CHANNEL = 'wavu_purchases';

/** Wake anyone waiting on this purchase (delivered when the transaction commits). */
export async function notifyPurchase(conn: Conn, id: string): Promise<void> {
  await conn.execute(sql`SELECT pg_notify(${PURCHASES_CHANNEL}, ${id})`);
}
