import { sql } from 'drizzle-orm';
import type { Deps } from '../app/deps.ts';
import { query } from '../db/open.ts';

export interface PublicPlan {
  id: number;
  name: string;
  priceKes: number;
  durationSeconds: number;
  dataCapBytes: number | null;
  rateUpKbps: number | null;
  rateDownKbps: number | null;
  devices: number;
  clock: 'wall' | 'uptime';
}

/** The packages on sale, in the operator's order. */
export async function listPlans(deps: Deps): Promise<PublicPlan[]> {
  const rows = await query<Record<string, any>>(
    deps.db,
    sql`SELECT id, name, price_kes, duration_seconds, data_cap_bytes, rate_up_kbps, rate_down_kbps, devices, clock
        FROM plans WHERE active ORDER BY sort_order, price_kes, id`,
  );
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    priceKes: r.price_kes,
    durationSeconds: r.duration_seconds,
    dataCapBytes: r.data_cap_bytes === null ? null : Number(r.data_cap_bytes),
    rateUpKbps: r.rate_up_kbps,
    rateDownKbps: r.rate_down_kbps,
    devices: r.devices,
    clock: r.clock,
  }));
}
