/**
 * The live sessions Wavu holds for a router, as `ActiveSession`s: what a gateway that reports to
 * us (RADIUS accounting, openNDS's poller) "lists" when asked, since the gateway itself is not asked.
 * `ofCode` narrows to one code's sessions (and, by `username`, ones never tied to a code).
 */
import { type SQL, sql } from 'drizzle-orm';
import { type Conn, query, uuidList } from '../../db/open.ts';
import type { ActiveSession } from '../adapter.ts';

interface SessionRow {
  acct_session_id: string | null;
  username: string | null;
  access_code_id: string | null;
  mac: string | null;
  ip: string | null;
  session_seconds: number;
  input_bytes: number;
  output_bytes: number;
}

export async function activeSessionsOf(
  conn: Conn,
  routerId: number,
  ofCode?: { accessCodeId: string; username?: string | undefined },
): Promise<ActiveSession[]> {
  const code: SQL = ofCode
    ? sql`AND (access_code_id = ${ofCode.accessCodeId}
               ${ofCode.username ? sql`OR (access_code_id IS NULL AND username = ${ofCode.username})` : sql``})`
    : sql``;
  const rows = await query<SessionRow>(
    conn,
    sql`SELECT acct_session_id, username, access_code_id, mac, ip, session_seconds, input_bytes, output_bytes
        FROM sessions WHERE router_id = ${routerId} AND status = 'active' ${code} ORDER BY started_at`,
  );
  return rows.map(sessionOf);
}

/** Live sessions of any of these codes on one router (a revoke batch): one statement. */
export async function activeSessionsOfCodes(
  conn: Conn,
  routerId: number,
  accessCodeIds: string[],
): Promise<ActiveSession[]> {
  if (!accessCodeIds.length) return [];
  const rows = await query<SessionRow>(
    conn,
    sql`SELECT acct_session_id, username, access_code_id, mac, ip, session_seconds, input_bytes, output_bytes
        FROM sessions WHERE router_id = ${routerId} AND status = 'active'
          AND access_code_id IN (${uuidList(accessCodeIds)})
        ORDER BY started_at`,
  );
  return rows.map(sessionOf);
}

function sessionOf(r: SessionRow): ActiveSession {
  return {
    id: r.acct_session_id ?? '',
    username: r.username ?? '',
    accessCodeId: r.access_code_id,
    mac: r.mac,
    ip: r.ip,
    uptimeSeconds: Number(r.session_seconds),
    bytesIn: Number(r.input_bytes),
    bytesOut: Number(r.output_bytes),
  };
}
