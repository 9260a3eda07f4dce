/**
 * Accounting-Request → a row in `sessions` and usage on the access code. Interim-Update and Stop
 * carry running totals, so each packet adds only what is new since the stored totals, with the
 * session row locked: a resent, duplicated or reordered packet (on this node or another) adds
 * nothing twice, and counters never go backwards. Start, Interim-Update and Stop are one
 * statement each (radius_accounting, src/db/functions/radius_accounting.sql): one round trip, one
 * commit, as an Access-Request is.
 */
import { sql } from 'drizzle-orm';
import type { Deps } from '../app/deps.ts';
import { hashCode, looksLikeCode, normalizeCode } from '../access/index.ts';
import { settleUsage } from '../access/index.ts';
import { query, retryTransaction } from '../db/open.ts';
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

/** One row of radius_accounting (src/db/functions/radius_accounting.sql). */
interface AccountingRow {
  added_seconds: number | string;
  added_bytes: number | string;
  code_id: string | null;
  settle: boolean;
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
  const startedAt = new Date(now.getTime() - (r.sessionSeconds + r.delaySeconds) * 1000);
  // The key that hashes a code is this server's, so the User-Name is hashed here.
  const codeHash =
    r.username && looksLikeCode(normalizeCode(r.username)) ? hashCode(deps.sealer, r.username) : null;
  // The session row, its code and the usage in one statement, its own transaction: one round trip.
  const [row] = (await retryTransaction(() =>
    query<AccountingRow>(
      deps.db,
      sql`SELECT * FROM radius_accounting(${r.routerId}, ${r.acctSessionId!},
            ${r.status === ACCT_STATUS_TYPE.Start}, ${r.status === ACCT_STATUS_TYPE.Stop}, ${r.username ?? null},
            ${r.mac}, ${r.ip ?? null}, ${r.classCodeId}::uuid, ${codeHash}::text,
            ${r.mac ?? normalizeMac(r.username)}::text, ${r.sessionSeconds}::bigint, ${r.inputBytes}::bigint,
            ${r.outputBytes}::bigint, ${r.terminateCause}::text, ${startedAt}::timestamptz, ${now}::timestamptz)`,
    ),
  )) as [AccountingRow];
  // The code is used up or over its fair-use cap: expire or throttle it by the access core's rule
  // (rare: once per code). Committed apart from the usage; should this fail, the function says so
  // again at the session's next packet, and a login is refused or slowed by the decision itself.
  if (row.settle && row.code_id) await deps.db.transaction((tx) => settleUsage(tx, deps, row.code_id!));
  return { addedSeconds: Number(row.added_seconds), addedBytes: Number(row.added_bytes) };
}
