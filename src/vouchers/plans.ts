import { sql } from 'drizzle-orm';
import { type Conn, query } from '../db/open.ts';
import { AppError } from '../lib/errors.ts';

/** What a voucher copies from its plan when it is made (later plan edits do not change it). */
export interface VoucherPlan {
  id: number;
  name: string;
  priceKes: number;
  durationSeconds: number;
  dataCapBytes: number | null;
  devices: number;
  clock: 'wall' | 'uptime';
}

type PlanRow = {
  id: number;
  name: string;
  price_kes: number;
  duration_seconds: number;
  data_cap_bytes: number | null;
  devices: number;
  clock: 'wall' | 'uptime';
};

const toPlan = (r: PlanRow): VoucherPlan => ({
  id: Number(r.id),
  name: r.name,
  priceKes: Number(r.price_kes),
  durationSeconds: Number(r.duration_seconds),
  dataCapBytes: r.data_cap_bytes === null ? null : Number(r.data_cap_bytes),
  devices: Number(r.devices),
  clock: r.clock,
});

export async function getPlan(conn: Conn, id: number): Promise<VoucherPlan> {
  const [r] = await query<PlanRow>(
    conn,
    sql`SELECT id, name, price_kes, duration_seconds, data_cap_bytes, devices, clock FROM plans WHERE id = ${id}`,
  );
  if (!r) throw new AppError('not_found', `There is no plan with id ${id}.`);
  return toPlan(r);
}

/** By name, ignoring case and extra spaces ("24 hours" finds "24 Hours"). */
export async function findPlanByName(conn: Conn, name: string): Promise<VoucherPlan> {
  const want = name.trim().replace(/\s+/g, ' ');
  const rows = await query<PlanRow>(
    conn,
    sql`SELECT id, name, price_kes, duration_seconds, data_cap_bytes, devices, clock FROM plans
        WHERE lower(name) = lower(${want}) ORDER BY active DESC, id`,
  );
  if (!rows[0]) {
    const all = await query<{ name: string }>(conn, sql`SELECT name FROM plans ORDER BY sort_order, id`);
    throw new AppError(
      'not_found',
      `There is no plan called "${want}". Plans: ${all.map((p) => `"${p.name}"`).join(', ') || 'none'}.`,
    );
  }
  return toPlan(rows[0]);
}
