/** Data access for `opennds_clients`: the clients openNDS sent us and what we want for each. */
import { sql } from 'drizzle-orm';
import { type Conn, query } from '../../db/open.ts';

export interface ClientRow {
  token: string;
  router_id: number;
  hid: string;
  rhid: string;
  mac: string;
  ip: string | null;
  gateway_address: string | null;
  origin_url: string | null;
  access_code_id: string | null;
  state: 'seen' | 'auth_pending' | 'authed' | 'deauth_pending' | 'deauthed';
  minutes: number | null;
  up_kbps: number | null;
  down_kbps: number | null;
  up_quota_kb: number | null;
  down_quota_kb: number | null;
}

/** A pending authorisation older than this is no longer offered: openNDS forgot that hid. */
export const AUTH_OFFER_MS = 15 * 60_000;

export async function upsertClient(
  conn: Conn,
  c: {
    token: string;
    routerId: number;
    hid: string;
    rhid: string;
    mac: string;
    ip: string | null;
    gatewayAddress: string | null;
    originUrl: string | null;
    now: Date;
  },
): Promise<ClientRow> {
  // The same hid comes back when the browser reloads the FAS page: keep its token and state.
  const [row] = await query<ClientRow>(
    conn,
    sql`INSERT INTO opennds_clients (token, router_id, hid, rhid, mac, ip, gateway_address, origin_url, created_at, updated_at)
        VALUES (${c.token}, ${c.routerId}, ${c.hid}, ${c.rhid}, ${c.mac}, ${c.ip}, ${c.gatewayAddress}, ${c.originUrl}, ${c.now}, ${c.now})
        ON CONFLICT (router_id, hid) DO UPDATE SET ip = EXCLUDED.ip, updated_at = EXCLUDED.updated_at
        RETURNING *`,
  );
  return row!;
}

export async function clientByToken(conn: Conn, token: string): Promise<ClientRow | null> {
  if (!/^[A-Za-z0-9_-]{20,64}$/.test(token)) return null;
  const [row] = await query<ClientRow>(conn, sql`SELECT * FROM opennds_clients WHERE token = ${token}`);
  return row ?? null;
}

export interface WantedAuth {
  minutes: number;
  upKbps: number | null;
  downKbps: number | null;
  upQuotaKb: number | null;
  downQuotaKb: number | null;
}

/** Ask for the client to be authorised (authmon collects it on its next poll). */
export async function wantAuth(
  conn: Conn,
  token: string,
  accessCodeId: string,
  w: WantedAuth,
  now: Date,
): Promise<void> {
  await conn.execute(
    sql`UPDATE opennds_clients
        SET access_code_id = ${accessCodeId}, minutes = ${w.minutes}, up_kbps = ${w.upKbps}, down_kbps = ${w.downKbps},
            up_quota_kb = ${w.upQuotaKb}, down_quota_kb = ${w.downQuotaKb}, updated_at = ${now},
            state = CASE WHEN state = 'authed' THEN 'authed' ELSE 'auth_pending' END
        WHERE token = ${token}`,
  );
}

/** Every client of this code on this router that may be online gets deauthenticated. */
export async function wantDeauth(
  conn: Conn,
  routerId: number,
  accessCodeId: string,
  now: Date,
): Promise<number> {
  const rows = await query<{ token: string }>(
    conn,
    sql`UPDATE opennds_clients SET state = 'deauth_pending', updated_at = ${now}
        WHERE router_id = ${routerId} AND access_code_id = ${accessCodeId}
          AND state IN ('auth_pending', 'authed', 'deauth_pending')
        RETURNING token`,
  );
  return rows.length;
}

export async function pendingAuths(conn: Conn, routerId: number, now: Date): Promise<ClientRow[]> {
  const since = new Date(now.getTime() - AUTH_OFFER_MS);
  return query<ClientRow>(
    conn,
    sql`SELECT * FROM opennds_clients WHERE router_id = ${routerId} AND state = 'auth_pending'
          AND updated_at > ${since} ORDER BY updated_at LIMIT 50`,
  );
}

export async function markAuthed(conn: Conn, routerId: number, rhids: string[], now: Date): Promise<void> {
  if (!rhids.length) return;
  await conn.execute(
    sql`UPDATE opennds_clients SET state = 'authed', updated_at = ${now}
        WHERE router_id = ${routerId} AND state = 'auth_pending'
          AND rhid IN (${sql.join(
            rhids.map((r) => sql`${r}`),
            sql`, `,
          )})`,
  );
}

/** A newer client of the same device that is (or is about to be) online supersedes an old one. */
const SUPERSEDED = sql`EXISTS (SELECT 1 FROM opennds_clients n
                               WHERE n.router_id = c.router_id AND n.mac = c.mac AND n.created_at > c.created_at
                                 AND n.state IN ('auth_pending', 'authed'))`;

/**
 * MACs to deauthenticate now (marked as handed out): clients wanted off, unless the device has
 * logged in again since with another code (kicking it would end the new session).
 */
export async function takeDeauthMacs(conn: Conn, routerId: number, now: Date): Promise<string[]> {
  const rows = await query<{ mac: string }>(
    conn,
    sql`UPDATE opennds_clients c SET deauth_sent_at = ${now}
        WHERE c.router_id = ${routerId} AND c.state = 'deauth_pending' AND NOT ${SUPERSEDED}
        RETURNING c.mac`,
  );
  return [...new Set(rows.map((r) => r.mac))].sort().slice(0, 100);
}

/**
 * Confirm deauths: a client handed to the poller before this report, whose MAC the report no
 * longer lists as authenticated, is off. (The poller is sequential: report, answer, deauth, so
 * a report after the answer was made after the deauth ran.) Superseded ones are done as well.
 */
export async function markDeauthed(
  conn: Conn,
  routerId: number,
  authenticatedMacs: string[],
  reportAt: Date,
): Promise<void> {
  const still = authenticatedMacs.length
    ? sql`AND c.mac NOT IN (${sql.join(
        authenticatedMacs.map((m) => sql`${m}`),
        sql`, `,
      )})`
    : sql``;
  await conn.execute(
    sql`UPDATE opennds_clients c SET state = 'deauthed', updated_at = ${reportAt}
        WHERE c.router_id = ${routerId} AND c.state = 'deauth_pending'
          AND ((c.deauth_sent_at IS NOT NULL AND c.deauth_sent_at <= ${reportAt} ${still}) OR ${SUPERSEDED})`,
  );
}

/** Which access code a MAC on this router is online with (its newest client row of ours). */
export async function codesByMac(conn: Conn, routerId: number): Promise<Map<string, string>> {
  const rows = await query<{ mac: string; access_code_id: string }>(
    conn,
    sql`SELECT DISTINCT ON (mac) mac, access_code_id FROM opennds_clients
        WHERE router_id = ${routerId} AND access_code_id IS NOT NULL
        ORDER BY mac, updated_at DESC`,
  );
  return new Map(rows.map((r) => [r.mac, r.access_code_id]));
}
