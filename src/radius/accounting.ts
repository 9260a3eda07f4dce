/**
 * Accounting-Request → a row in `sessions` and usage on the access code. Interim-Update and Stop
 * carry running totals, so each packet adds only what is new since the stored totals, inside one
 * transaction with the session row locked: a resent, duplicated or reordered packet (on this node
 * or another) adds nothing twice, and counters never go backwards.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Deps } from '../app/deps.ts';
import { hashCode, looksLikeCode, normalizeCode } from '../access/index.ts';
import { recordUsage } from '../access/index.ts';
import { type Conn, query } from '../db/open.ts';
import { normalizeMac } from '../lib/mac.ts';
import {
  ACCT_STATUS_TYPE,
  ACCT_TERMINATE_CAUSE,
  getInt,
  getIp,
  getRaw,
  getText,
  RadiusCode,
  type RadiusPacket,
} from '../protocols/radius/index.ts';
import type { RadiusReply, RadiusRequest } from './server.ts';

const TWO_32 = 2 ** 32;
const CAUSE_NAMES = new Map(Object.entries(ACCT_TERMINATE_CAUSE).map(([k, v]) => [v, k]));
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface AccountingRecord {
  routerId: number;
  status: number;
  acctSessionId: string | undefined;
  username: string | undefined;
  mac: string | null;
  ip: string | undefined;
  classCodeId: string | null;
  sessionSeconds: number;
  inputBytes: number;
  outputBytes: number;
  delaySeconds: number;
  terminateCause: string | null;
}

export function parseAccounting(routerId: number, p: RadiusPacket): AccountingRecord {
  const cls = getRaw(p, 'Class')?.toString('utf8');
  const classId = cls?.startsWith('wavu:') ? cls.slice(5) : null;
  const cause = getInt(p, 'Acct-Terminate-Cause');
  return {
    routerId,
    status: getInt(p, 'Acct-Status-Type') ?? 0,
    acctSessionId: getText(p, 'Acct-Session-Id'),
    username: getText(p, 'User-Name'),
    mac: normalizeMac(getText(p, 'Calling-Station-Id')),
    ip: getIp(p, 'Framed-IP-Address'),
    classCodeId: classId && UUID.test(classId) ? classId.toLowerCase() : null,
    sessionSeconds: getInt(p, 'Acct-Session-Time') ?? 0,
    // RFC 2866: Input = from the user (upload), Output = to the user (download).
    inputBytes: (getInt(p, 'Acct-Input-Gigawords') ?? 0) * TWO_32 + (getInt(p, 'Acct-Input-Octets') ?? 0),
    outputBytes: (getInt(p, 'Acct-Output-Gigawords') ?? 0) * TWO_32 + (getInt(p, 'Acct-Output-Octets') ?? 0),
    delaySeconds: getInt(p, 'Acct-Delay-Time') ?? 0,
    terminateCause: cause === undefined ? null : (CAUSE_NAMES.get(cause) ?? String(cause)),
  };
}

export function accountingHandler(deps: Deps, onSeen?: (routerId: number) => void) {
  return async (req: RadiusRequest): Promise<RadiusReply> => {
    const rec = parseAccounting(req.nas.routerId, req.packet);
    await recordAccounting(deps, rec);
    onSeen?.(req.nas.routerId);
    return { code: RadiusCode.AccountingResponse, attributes: [] };
  };
}

interface SessionRow {
  id: string;
  access_code_id: string | null;
  status: 'active' | 'closed';
  session_seconds: number;
  input_bytes: number;
  output_bytes: number;
  terminate_cause: string | null;
}

export async function recordAccounting(
  deps: Deps,
  r: AccountingRecord,
): Promise<{ addedSeconds: number; addedBytes: number }> {
  const now = deps.clock.now();
  if (r.status === ACCT_STATUS_TYPE['Accounting-On'] || r.status === ACCT_STATUS_TYPE['Accounting-Off']) {
    // The NAS (re)started or is stopping: none of its sessions survive. Usage up to the last
    // interim is already counted; what happened after it is unknowable.
    await deps.db.execute(
      sql`UPDATE sessions SET status = 'closed', stopped_at = ${now}, updated_at = ${now},
                 terminate_cause = ${r.status === ACCT_STATUS_TYPE['Accounting-On'] ? 'NAS-Reboot' : 'NAS-Request'}
          WHERE router_id = ${r.routerId} AND status = 'active'`,
    );
    return { addedSeconds: 0, addedBytes: 0 };
  }
  const known = [
    ACCT_STATUS_TYPE.Start,
    ACCT_STATUS_TYPE.Stop,
    ACCT_STATUS_TYPE['Interim-Update'],
  ] as number[];
  if (!known.includes(r.status) || !r.acctSessionId) {
    // Answer anyway: a NAS retries unanswered accounting for a long time.
    deps.log.debug(
      { router: r.routerId, status: r.status },
      'accounting packet without a usable session; acknowledged',
    );
    return { addedSeconds: 0, addedBytes: 0 };
  }
  const stop = r.status === ACCT_STATUS_TYPE.Stop;
  const startedAt = new Date(now.getTime() - (r.sessionSeconds + r.delaySeconds) * 1000);

  return deps.db.transaction(async (tx) => {
    // The usual packet (an interim for a known session) updates its row in one statement, which
    // hands back the totals stored before it to work out what is new.
    let [row] = await updateSession(tx, r, now, stop);
    if (!row) {
      const codeId = await resolveCode(tx, deps, r);
      await tx.execute(
        sql`INSERT INTO sessions (id, access_code_id, router_id, acct_session_id, username, mac, ip, status, started_at, updated_at)
            VALUES (${randomUUID()}, ${codeId}, ${r.routerId}, ${r.acctSessionId}, ${r.username ?? null}, ${r.mac},
                    ${r.ip ?? null}, 'active', ${startedAt}, ${now})
            ON CONFLICT (router_id, acct_session_id) DO NOTHING`,
      );
      [row] = await updateSession(tx, r, now, stop);
      if (!row) throw new Error('session row vanished');
      if (r.status === ACCT_STATUS_TYPE.Start && r.mac) {
        // A Start for a device whose previous session never sent Stop (lost packet, NAS crash):
        // that old session is over.
        await tx.execute(
          sql`UPDATE sessions SET status = 'closed', stopped_at = ${now}, updated_at = ${now}, terminate_cause = 'Lost-Stop'
              WHERE router_id = ${r.routerId} AND mac = ${r.mac} AND status = 'active' AND id <> ${row.id}`,
        );
      }
    }
    const addedSeconds = Math.max(0, r.sessionSeconds - Number(row.session_seconds));
    const addedBytes =
      Math.max(0, r.inputBytes - Number(row.input_bytes)) +
      Math.max(0, r.outputBytes - Number(row.output_bytes));
    const codeId = row.access_code_id ?? (await resolveCode(tx, deps, r));
    if (codeId && !row.access_code_id)
      await tx.execute(sql`UPDATE sessions SET access_code_id = ${codeId} WHERE id = ${row.id}`);
    if (codeId && (addedSeconds > 0 || addedBytes > 0))
      await recordUsage(tx, deps, { accessCodeId: codeId, seconds: addedSeconds, bytes: addedBytes });
    return { addedSeconds, addedBytes };
  });
}

/**
 * Apply a packet to its session row and return the row as it was (the subquery locks it first,
 * so concurrent copies of a packet queue and each sees what the one before it stored). Totals
 * never go backwards. A session the sweeper closed for silence comes back to life if the NAS
 * still reports it; the first real end wins (a resent Stop keeps the original time and cause),
 * and a Stop for a session the sweeper closed replaces the guess with the NAS's own answer.
 */
function updateSession(tx: Conn, r: AccountingRecord, now: Date, stop: boolean) {
  const reopen = sql`(NOT ${stop}::boolean AND o.status = 'closed' AND o.terminate_cause = 'Stale')`;
  const closeNow = sql`(${stop}::boolean AND (o.status = 'active' OR o.terminate_cause = 'Stale'))`;
  return query<SessionRow>(
    tx,
    sql`UPDATE sessions s SET
          session_seconds = GREATEST(s.session_seconds, ${r.sessionSeconds}),
          input_bytes = GREATEST(s.input_bytes, ${r.inputBytes}),
          output_bytes = GREATEST(s.output_bytes, ${r.outputBytes}),
          ip = COALESCE(${r.ip ?? null}, s.ip),
          updated_at = ${now},
          status = CASE WHEN ${stop}::boolean THEN 'closed' WHEN ${reopen} THEN 'active' ELSE s.status END,
          stopped_at = CASE WHEN ${closeNow} THEN ${now}::timestamptz WHEN ${reopen} THEN NULL ELSE s.stopped_at END,
          terminate_cause = CASE WHEN ${closeNow} THEN ${r.terminateCause ?? 'Stop'}::text
                                 WHEN ${reopen} THEN NULL ELSE s.terminate_cause END
        FROM (SELECT id, access_code_id, status, session_seconds, input_bytes, output_bytes, terminate_cause
                FROM sessions WHERE router_id = ${r.routerId} AND acct_session_id = ${r.acctSessionId!}
                FOR UPDATE) o
        WHERE s.id = o.id
        RETURNING o.id, o.access_code_id, o.status, o.session_seconds, o.input_bytes, o.output_bytes, o.terminate_cause`,
  );
}

/**
 * Which access code a session spends: the Class we put in the Access-Accept, else the User-Name
 * as a code, else the live code the device's MAC is bound to.
 */
async function resolveCode(tx: Conn, deps: Deps, r: AccountingRecord): Promise<string | null> {
  if (r.classCodeId) {
    const [c] = await query<{ id: string }>(tx, sql`SELECT id FROM access_codes WHERE id = ${r.classCodeId}`);
    if (c) return c.id;
  }
  if (r.username && looksLikeCode(normalizeCode(r.username))) {
    const [c] = await query<{ id: string }>(
      tx,
      sql`SELECT id FROM access_codes WHERE code_hash = ${hashCode(deps.sealer, r.username)}`,
    );
    if (c) return c.id;
  }
  const mac = r.mac ?? normalizeMac(r.username);
  if (mac) {
    const [c] = await query<{ id: string }>(
      tx,
      sql`SELECT c.id FROM access_codes c JOIN access_devices d ON d.access_code_id = c.id
          WHERE d.mac = ${mac} AND c.status IN ('issued', 'active')
          ORDER BY c.activated_at DESC NULLS LAST LIMIT 1`,
    );
    if (c) return c.id;
  }
  return null;
}
