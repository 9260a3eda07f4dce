import { sql } from 'drizzle-orm';
import { type Conn, query } from '../db/open.ts';
import type { PurchaseStatus } from '../db/schema.ts';

/** What a retry needs from an earlier purchase (the page only ever shows the phone masked). */
export async function purchaseForRetry(
  conn: Conn,
  id: string,
): Promise<{
  status: PurchaseStatus;
  planId: number;
  phone: string | null;
  mac: string | null;
  ip: string | null;
  routerId: number | null;
} | null> {
  const rows = await query<{
    status: PurchaseStatus;
    plan_id: number;
    phone: string | null;
    mac: string | null;
    ip: string | null;
    router_id: number | null;
  }>(conn, sql`SELECT status, plan_id, phone, mac, ip, router_id FROM purchases WHERE id = ${id}`);
  const r = rows[0];
  if (!r) return null;
  return {
    status: r.status,
    planId: Number(r.plan_id),
    phone: r.phone,
    mac: r.mac,
    ip: r.ip,
    routerId: r.router_id === null ? null : Number(r.router_id),
  };
}
