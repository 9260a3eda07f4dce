import { eq } from 'drizzle-orm';
import type { Conn } from '../db/open.ts';
import { plans } from '../db/schema.ts';
import { type PublicPlan, SALE_ORDER, toPublicPlan } from './plan-row.ts';

/** The packages on sale, in the order customers see them. */
export async function listPlansOnSale(conn: Conn): Promise<PublicPlan[]> {
  const rows = await conn
    .select()
    .from(plans)
    .where(eq(plans.active, true))
    .orderBy(...SALE_ORDER);
  return rows.map(toPublicPlan);
}
