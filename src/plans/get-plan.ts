import { eq } from 'drizzle-orm';
import type { Conn } from '../db/open.ts';
import { plans } from '../db/schema.ts';
import { AppError } from '../lib/errors.ts';
import { toVoucherPlan, type VoucherPlan } from './plan-row.ts';

/** A plan by id, active or not (a batch printed on a retired plan still shows it). */
export async function getPlan(conn: Conn, id: number): Promise<VoucherPlan> {
  const [row] = await conn.select().from(plans).where(eq(plans.id, id));
  if (!row) throw new AppError('not_found', `There is no plan with id ${id}.`);
  return toVoucherPlan(row);
}
