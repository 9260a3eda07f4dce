/** Listing service plans (all of them, in sort order; the first active one is the default). */
import { sql } from 'drizzle-orm';
import { type Conn, query } from '../db/open.ts';
import { type ServicePlan, toServicePlan } from './repo.ts';

export async function listServicePlans(conn: Conn): Promise<ServicePlan[]> {
  const rows = await query<Record<string, unknown>>(
    conn,
    sql`SELECT * FROM service_plans ORDER BY sort_order, id`,
  );
  return rows.map(toServicePlan);
}
