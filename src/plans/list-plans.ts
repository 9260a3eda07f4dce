import { asc } from 'drizzle-orm';
import type { Conn } from '../db/open.ts';
import { plans } from '../db/schema.ts';
import { type PlanRow, toPlanView } from './plan-row.ts';
import type { PlanView } from './plan-schema.ts';

/** Every plan, retired ones too, as the admin screen lists them. */
export async function listPlans(conn: Conn): Promise<PlanView[]> {
  const rows: PlanRow[] = await conn.select().from(plans).orderBy(asc(plans.sortOrder), asc(plans.id));
  return rows.map(toPlanView);
}
