import { and, eq } from 'drizzle-orm';
import type { Conn } from '../db/open.ts';
import { plans } from '../db/schema.ts';
import { type PublicPlan, toPublicPlan } from './plan-row.ts';

/**
 * A plan a customer or cashier may buy now (it exists and is active), or null. Null rather than
 * an error because the message differs by who is asking (a customer at the portal, a cashier).
 */
export async function getPlanForSale(conn: Conn, id: number): Promise<PublicPlan | null> {
  const [row] = await conn
    .select()
    .from(plans)
    .where(and(eq(plans.id, id), eq(plans.active, true)));
  return row ? toPublicPlan(row) : null;
}
