/**
 * Accounting-Request for a subscriber's PPP session → a row in `ppp_sessions` and the period's
 * usage on the subscriber. Interim-Update and Stop carry running totals, so each packet adds only
 * what is new since the stored totals, in one transaction with the session row locked: a resent,
 * duplicated or reordered packet adds nothing twice. Crossing the plan's data cap marks the
 * subscriber throttled and queues `subscriber.fair-use` (a CoA with the fair-use rate), once.
 */
import { sql } from 'drizzle-orm';
import type { Deps } from '../app/deps.ts';
import { SYSTEM, audit } from '../audit/index.ts';
import { type Conn, query } from '../db/open.ts';
import {
  ACCT_STATUS_TYPE,
  ACCT_TERMINATE_CAUSE,
  getInt,
  getIp,
  getRaw,
  getText,
  RadiusCode,
} from '../protocols/radius/index.ts';
import type { PppReply, PppRequest } from './ppp-access.ts';
import { FAIR_USE_JOB } from './job-kinds.ts';
import { PPP } from './ppp-rules.ts';

const TWO_32 = 2 ** 32;
const CAUSE_NAMES = new Map(Object.entries(ACCT_TERMINATE_CAUSE).map(([k, v]) => [v, k]));

export interface PppAccountingRecord {
  routerId: number;
  status: number;
  sessionKey: string;
  subscriberId: number | null;
  username: string | undefined;
  ip: string | null;
  callerId: string | null;
  sessionSeconds: number;
  inputBytes: number;
  outputBytes: number;
  terminateCause: string | null;
}

/** The subscriber id we put in the Accept's Class, if this packet echoes it. */
function classSubscriber(raw: Buffer | undefined): number | null {
  const m = raw ? /^wavu-sub:(\d{1,9})$/.exec(raw.toString('utf8')) : null;
  return m ? Number(m[1]) : null;
}

/** Is this Accounting-Request about a PPP session (ours by Class, or a PPP framed session)? */
export function isPppAccounting(req: PppRequest): boolean {
  return (
    classSubscriber(getRaw(req.packet, 'Class')) !== null || getInt(req.packet, 'Framed-Protocol') === PPP
  );
}

/**
 * Record the packet; undefined when it is about no subscriber (the caller hands it to the
 * hotspot accounting, which acknowledges anything).
 */
export async function pppAccounting(deps: Deps, req: PppRequest): Promise<PppReply | undefined> {
  const p = req.packet;
  const status = getInt(p, 'Acct-Status-Type') ?? 0;
  const sessionKey = getText(p, 'Acct-Session-Id');
  const cause = getInt(p, 'Acct-Terminate-Cause');
  const rec: PppAccountingRecord = {
    routerId: req.nas.routerId,
    status,
    sessionKey: sessionKey ?? '',
    subscriberId: classSubscriber(getRaw(p, 'Class')),
    username: getText(p, 'User-Name'),
    ip: getIp(p, 'Framed-IP-Address') ?? null,
    callerId: getText(p, 'Calling-Station-Id') ?? null,
    sessionSeconds: getInt(p, 'Acct-Session-Time') ?? 0,
    // RFC 2866: Input = from the subscriber (upload), Output = to the subscriber (download).
    inputBytes: (getInt(p, 'Acct-Input-Gigawords') ?? 0) * TWO_32 + (getInt(p, 'Acct-Input-Octets') ?? 0),
    outputBytes: (getInt(p, 'Acct-Output-Gigawords') ?? 0) * TWO_32 + (getInt(p, 'Acct-Output-Octets') ?? 0),
    terminateCause: cause === undefined ? null : (CAUSE_NAMES.get(cause) ?? String(cause)),
  };
  const known = [
    ACCT_STATUS_TYPE.Start,
    ACCT_STATUS_TYPE.Stop,
    ACCT_STATUS_TYPE['Interim-Update'],
  ] as number[];
  if (!known.includes(status) || !sessionKey) return undefined;
  const done = await recordPppAccounting(deps, rec);
  return done ? { code: RadiusCode.AccountingResponse, attributes: [] } : undefined;
}

interface PppSessionRow {
  id: string;
  subscriber_id: number;
  bytes_in: string | number;
  bytes_out: string | number;
}

/** Returns false when the packet names no subscriber we know. */
export async function recordPppAccounting(deps: Deps, r: PppAccountingRecord): Promise<boolean> {
  const now = deps.clock.now();
  const stop = r.status === ACCT_STATUS_TYPE.Stop;
  return deps.db.transaction(async (tx) => {
    let [row] = await updateSession(tx, r, now, stop);
    if (!row) {
      const subscriberId = await resolveSubscriber(tx, r);
      if (subscriberId === null) return false;
      const startedAt = new Date(now.getTime() - r.sessionSeconds * 1000);
      await tx.execute(
        sql`INSERT INTO ppp_sessions (subscriber_id, router_id, session_key, framed_ip, caller_id, started_at, updated_at)
            VALUES (${subscriberId}, ${r.routerId}, ${r.sessionKey}, ${r.ip}, ${r.callerId}, ${startedAt}, ${now})
            ON CONFLICT (router_id, session_key) DO NOTHING`,
      );
      [row] = await updateSession(tx, r, now, stop);
      if (!row) throw new Error('ppp session row vanished');
    }
    const added =
      Math.max(0, r.inputBytes - Number(row.bytes_in)) + Math.max(0, r.outputBytes - Number(row.bytes_out));
    await addUsage(tx, deps, Number(row.subscriber_id), added, now);
    return true;
  });
}

/** Lock the session row, keep the larger totals, return the totals stored before this packet. */
function updateSession(tx: Conn, r: PppAccountingRecord, now: Date, stop: boolean) {
  return query<PppSessionRow>(
    tx,
    sql`UPDATE ppp_sessions s SET
          bytes_in = GREATEST(s.bytes_in, ${r.inputBytes}),
          bytes_out = GREATEST(s.bytes_out, ${r.outputBytes}),
          framed_ip = COALESCE(${r.ip}, s.framed_ip),
          session_seconds = GREATEST(s.session_seconds, ${r.sessionSeconds}),
          updated_at = ${now},
          stopped_at = CASE WHEN ${stop}::boolean AND s.stopped_at IS NULL THEN ${now}::timestamptz ELSE s.stopped_at END,
          stop_cause = CASE WHEN ${stop}::boolean AND s.stopped_at IS NULL THEN ${r.terminateCause ?? 'Stop'}::text ELSE s.stop_cause END
        FROM (SELECT id, subscriber_id, bytes_in, bytes_out FROM ppp_sessions
              WHERE router_id = ${r.routerId} AND session_key = ${r.sessionKey} FOR UPDATE) o
        WHERE s.id = o.id
        RETURNING o.id, o.subscriber_id, o.bytes_in, o.bytes_out`,
  );
}

async function resolveSubscriber(tx: Conn, r: PppAccountingRecord): Promise<number | null> {
  const [s] = await query<{ id: number }>(
    tx,
    r.subscriberId !== null
      ? sql`SELECT id FROM subscribers WHERE id = ${r.subscriberId}`
      : sql`SELECT id FROM subscribers WHERE username = ${r.username?.trim() ?? ''}`,
  );
  return s ? Number(s.id) : null;
}

/**
 * Add the new bytes to the period and, the first time they cross a plan's cap that has a
 * fair-use rate, mark the subscriber throttled and queue the CoA (same transaction).
 */
export async function addUsage(tx: Conn, deps: Deps, subscriberId: number, bytes: number, now: Date) {
  const [s] = await query<{ period_bytes: string | number; crossed: boolean }>(
    tx,
    sql`UPDATE subscribers s SET period_bytes = s.period_bytes + ${bytes}, last_seen_at = ${now},
               throttled = s.throttled OR (p.data_cap_bytes IS NOT NULL AND p.fair_use_up_kbps IS NOT NULL
                                           AND s.period_bytes + ${bytes} >= p.data_cap_bytes),
               updated_at = ${now}
        FROM service_plans p, (SELECT throttled FROM subscribers WHERE id = ${subscriberId} FOR UPDATE) o
        WHERE s.id = ${subscriberId} AND p.id = s.service_plan_id
        RETURNING s.period_bytes, (s.throttled AND NOT o.throttled) AS crossed`,
  );
  if (!s?.crossed) return;
  await audit(tx, deps, {
    actor: SYSTEM,
    action: 'subscriber.throttle',
    entity: 'subscriber',
    entityId: subscriberId,
    detail: { periodBytes: Number(s.period_bytes) },
  });
  await deps.enqueue(tx, FAIR_USE_JOB, { subscriberId });
  deps.log.info({ subscriberId }, 'subscriber data cap reached: slowed to the fair-use rate');
}

/**
 * Accounting-On/Off: the NAS (re)started or is stopping, so none of its PPP sessions survive
 * (the hotspot sessions are closed by the hotspot accounting, which answers the packet). Usage up
 * to the last interim is already counted; what came after it is unknowable.
 */
export async function closePppSessionsOnNasRestart(deps: Deps, req: PppRequest): Promise<void> {
  const status = getInt(req.packet, 'Acct-Status-Type');
  const on = status === ACCT_STATUS_TYPE['Accounting-On'];
  if (!on && status !== ACCT_STATUS_TYPE['Accounting-Off']) return;
  const now = deps.clock.now();
  await deps.db.execute(
    sql`UPDATE ppp_sessions SET stopped_at = ${now}, updated_at = ${now}, stop_cause = ${on ? 'NAS-Reboot' : 'NAS-Request'}
         WHERE router_id = ${req.nas.routerId} AND stopped_at IS NULL`,
  );
}
