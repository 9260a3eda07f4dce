/** The few reads the portal makes on its own (everything that changes state goes through use cases). */
import { sql } from 'drizzle-orm';
import { type Conn, query } from '../db/open.ts';
import type { PurchaseStatus } from '../db/schema.ts';

/** The hotspot's `router` variable is the router's name in Wavu, or its numeric id. */
export async function resolveRouterId(conn: Conn, router: string | undefined): Promise<number | null> {
  if (!router) return null;
  const asId = /^\d{1,9}$/.test(router) ? Number(router) : -1;
  const rows = await query<{ id: number }>(
    conn,
    sql`SELECT id FROM routers WHERE enabled AND (name = ${router} OR id = ${asId}) ORDER BY (name = ${router}) DESC LIMIT 1`,
  );
  return rows[0] ? Number(rows[0].id) : null;
}

/**
 * Is this MAC bound to a code that may still have time? Read only (no activation, no binding): it
 * only decides whether to ask the router about the device at all.
 */
export async function macHasLiveCode(conn: Conn, mac: string): Promise<boolean> {
  const rows = await query<{ ok: boolean }>(
    conn,
    sql`SELECT EXISTS (SELECT 1 FROM access_devices d JOIN access_codes c ON c.id = d.access_code_id
                       WHERE d.mac = ${mac} AND c.status IN ('issued', 'active')) AS ok`,
  );
  return rows[0]?.ok === true;
}

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

/**
 * Is the router still being prepared for this access: a `gateway.grant` not yet on it, or a
 * replaced device not yet taken off (`gateway.release-device`)? Posting the login form before
 * then would only earn "invalid username" or "no more sessions are allowed" from the router.
 */
export async function routerPreparing(conn: Conn, accessCodeId: string): Promise<boolean> {
  const rows = await query<{ n: number }>(
    conn,
    sql`SELECT count(*)::int AS n FROM jobs
        WHERE kind IN ('gateway.grant', 'gateway.release-device') AND status IN ('queued', 'running')
          AND payload->>'accessCodeId' = ${accessCodeId}`,
  );
  return Number(rows[0]?.n ?? 0) > 0;
}
