import { asc, desc, sql } from 'drizzle-orm';
import type { Conn } from '../db/open.ts';
import { plans } from '../db/schema.ts';
import { AppError } from '../lib/errors.ts';
import { toVoucherPlan, type VoucherPlan } from './plan-row.ts';

/** By name, ignoring case and extra spaces ("24 hours" finds "24 Hours"); an active one first. */
export async function findPlanByName(conn: Conn, name: string): Promise<VoucherPlan> {
  const want = name.trim().replace(/\s+/g, ' ');
  const [row] = await conn
    .select()
    .from(plans)
    .where(sql`lower(${plans.name}) = lower(${want})`)
    .orderBy(desc(plans.active), asc(plans.id));
  if (!row) {
    const all = await conn
      .select({ name: plans.name })
      .from(plans)
      .orderBy(asc(plans.sortOrder), asc(plans.id));
    throw new AppError(
      'not_found',
      `There is no plan called "${want}". Plans: ${all.map((p) => `"${p.name}"`).join(', ') || 'none'}.`,
    );
  }
  return toVoucherPlan(row);
}
