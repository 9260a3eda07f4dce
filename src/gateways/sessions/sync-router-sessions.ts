/**
 * Make a router's `sessions` rows match what the router reports as live (api mode: a poll of
 * /ip/hotspot/active; other transports may feed their own reports here): open the new ones,
 * update uptime and bytes, close the ones gone, and charge the growth to each access code.
 * The router's PPP sessions (/ppp active), when given, are handed to the subscribers' rule
 * (Deps.syncPppSessions) on the same transaction.
 *
 * Exactly once, however often and from however many nodes it runs:
 *  - the whole sync is one transaction that first takes the router row's lock and moves its
 *    `sessions_seen_at` forward; a report older than the last one applied is dropped, so two
 *    nodes polling together are applied one after the other, and a slow older report can never
 *    reopen a session a newer one closed;
 *  - each session is charged only what its counters grew since the stored totals (the same
 *    deltas RADIUS accounting charges, through the same `recordUsageMany`), in that transaction.
 * RouterOS reuses `.id`s after a reboot, and a rebooted router's counters start again at zero:
 * a session whose uptime or bytes went down, or whose device or user changed, is a new session.
 */
import { randomUUID } from 'node:crypto';
import { type SQL, sql } from 'drizzle-orm';
import type { Deps } from '../../app/deps.ts';
/** What the access feature charges (Deps.chargeUsage): one code's online seconds and bytes. */
type UsageInput = Parameters<Deps['chargeUsage']>[1][number];
import { type Conn, query } from '../../db/open.ts';
import type { ActiveSession, PppActive } from '../adapter.ts';

/** Why a polled session ended (terminate_cause), in RADIUS's words where one fits. */
export const END_CAUSE = {
  /** No longer on the router's list: logged out, idle, limit reached, kicked by the router. */
  gone: 'Gone-From-Router',
  /** Its counters went down (router rebooted and reused the id): the old one is over. */
  reset: 'Counter-Reset',
  /** Staff pressed Disconnect. */
  kicked: 'Admin-Reset',
} as const;

export interface SyncResult {
  /** The report was older than one already applied, and was dropped. */
  skipped: boolean;
  opened: number;
  updated: number;
  closed: number;
  chargedSeconds: number;
  chargedBytes: number;
}

interface Stored {
  id: string;
  acct_session_id: string;
  access_code_id: string | null;
  username: string | null;
  mac: string | null;
  session_seconds: number;
  input_bytes: number;
  output_bytes: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Rows per statement: well under PostgreSQL's 65,535 bound parameters. */
const CHUNK = 1000;

const mac = (m: string | null) => (m ? m.toUpperCase() : null);
const whole = (n: number) => Math.max(0, Math.floor(Number.isFinite(n) ? n : 0));

export async function syncRouterSessions(
  deps: Deps,
  routerId: number,
  sessions: ActiveSession[],
  seenAt: Date,
  o: {
    kicked?: string[];
    /** The router's `/ppp active` too (api mode): synced on the same transaction, behind the same gate. */
    ppp?: PppActive[] | undefined;
  } = {},
): Promise<SyncResult> {
  const kicked = new Set(o.kicked ?? []);
  // The last report wins for a repeated id (a router never lists one twice; a feed might).
  const reported = new Map(sessions.map((s) => [s.id, s]));
  return deps.db.transaction(async (tx) => {
    const result: SyncResult = {
      skipped: false,
      opened: 0,
      updated: 0,
      closed: 0,
      chargedSeconds: 0,
      chargedBytes: 0,
    };
    const fresh = await query(
      tx,
      sql`UPDATE routers SET sessions_seen_at = ${seenAt}
          WHERE id = ${routerId} AND (sessions_seen_at IS NULL OR sessions_seen_at <= ${seenAt})
          RETURNING id`,
    );
    if (!fresh.length) return { ...result, skipped: true };
    if (o.ppp) await deps.syncPppSessions(tx, routerId, o.ppp, seenAt);
    const stored = await query<Stored>(
      tx,
      sql`SELECT id, acct_session_id, access_code_id, username, mac, session_seconds, input_bytes, output_bytes
          FROM sessions WHERE router_id = ${routerId} AND status = 'active'`,
    );
    const byAcct = new Map(stored.map((r) => [r.acct_session_id, r]));

    const opens: ActiveSession[] = [];
    const updates: { row: Stored; s: ActiveSession }[] = [];
    const closes: { id: string; cause: string }[] = [];
    const usage: UsageInput[] = [];
    const charge = (codeId: string | null, seconds: number, bytes: number) => {
      if (!codeId || (seconds <= 0 && bytes <= 0)) return;
      usage.push({ accessCodeId: codeId, seconds, bytes });
      result.chargedSeconds += seconds;
      result.chargedBytes += bytes;
    };

    for (const s of reported.values()) {
      const row = byAcct.get(s.id);
      const up = whole(s.uptimeSeconds);
      const bin = whole(s.bytesIn);
      const bout = whole(s.bytesOut);
      const same =
        row &&
        mac(row.mac) === mac(s.mac) &&
        (row.username ?? '') === s.username &&
        up >= Number(row.session_seconds) &&
        bin >= Number(row.input_bytes) &&
        bout >= Number(row.output_bytes);
      if (row && same) {
        byAcct.delete(s.id);
        updates.push({ row, s });
        charge(
          row.access_code_id,
          up - Number(row.session_seconds),
          bin - Number(row.input_bytes) + (bout - Number(row.output_bytes)),
        );
        continue;
      }
      if (row) {
        byAcct.delete(s.id);
        closes.push({ id: row.id, cause: END_CAUSE.reset });
      }
      opens.push(s);
    }
    for (const row of byAcct.values()) {
      closes.push({ id: row.id, cause: kicked.has(row.acct_session_id) ? END_CAUSE.kicked : END_CAUSE.gone });
    }

    // Close first: a reused router id must be free before the new session takes it.
    for (const part of chunks(closes)) {
      await closeSessions(tx, part);
      result.closed += part.length;
    }
    for (const part of chunks(opens)) {
      const opened = await openSessions(tx, routerId, part, seenAt);
      result.opened += opened.size;
      // New to us: everything it counted so far happened, and none of it was charged.
      for (const [acct, codeId] of opened) {
        const s = reported.get(acct)!;
        charge(codeId, whole(s.uptimeSeconds), whole(s.bytesIn) + whole(s.bytesOut));
      }
    }
    for (const part of chunks(updates)) {
      await updateSessions(tx, part, seenAt);
      result.updated += part.length;
    }
    // The tag names a code; one deleted meanwhile (or another install's) is charged nothing.
    if (usage.length) await deps.chargeUsage(tx, usage);
    return result;
  });
}

const validCodeId = (id: string | null) => (id && UUID.test(id) ? id.toLowerCase() : null);

function chunks<T>(list: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += CHUNK) out.push(list.slice(i, i + CHUNK));
  return out;
}

/**
 * A closed polled session gives its router id back: RouterOS numbers /ip/hotspot/active from
 * `*1` again after a reboot, and (router_id, acct_session_id) is unique. Ended at its last report.
 */
async function closeSessions(tx: Conn, rows: { id: string; cause: string }[]): Promise<void> {
  const values = join(rows.map((r) => sql`(${r.id}::uuid, ${r.cause})`));
  await tx.execute(
    sql`UPDATE sessions s SET status = 'closed', stopped_at = s.updated_at, terminate_cause = v.cause,
               stale_since = NULL, acct_session_id = s.acct_session_id || '#' || s.id::text
        FROM (VALUES ${values}) AS v(id, cause) WHERE s.id = v.id AND s.status = 'active'`,
  );
}

/** Returns the router ids of the rows written, with the code each one spends (null: not ours). */
async function openSessions(
  tx: Conn,
  routerId: number,
  list: ActiveSession[],
  seenAt: Date,
): Promise<Map<string, string | null>> {
  const values = join(
    list.map((s) => {
      const up = whole(s.uptimeSeconds);
      return sql`(${randomUUID()}::uuid, ${validCodeId(s.accessCodeId)}::uuid, ${s.id}, ${s.username || null},
                  ${mac(s.mac)}, ${s.ip}, ${new Date(seenAt.getTime() - up * 1000)}::timestamptz,
                  ${up}::bigint, ${whole(s.bytesIn)}::bigint, ${whole(s.bytesOut)}::bigint)`;
    }),
  );
  const rows = await query<{ acct_session_id: string; access_code_id: string | null }>(
    tx,
    sql`INSERT INTO sessions (id, access_code_id, router_id, acct_session_id, username, mac, ip, status,
                              started_at, updated_at, session_seconds, input_bytes, output_bytes)
        SELECT v.id, c.id, ${routerId}, v.acct, v.username, v.mac, v.ip, 'active', v.started, ${seenAt},
               v.secs, v.bin, v.bout
        FROM (VALUES ${values}) AS v(id, code, acct, username, mac, ip, started, secs, bin, bout)
        LEFT JOIN access_codes c ON c.id = v.code
        ON CONFLICT (router_id, acct_session_id) DO NOTHING
        RETURNING acct_session_id, access_code_id`,
  );
  return new Map(rows.map((r) => [r.acct_session_id, r.access_code_id]));
}

async function updateSessions(
  tx: Conn,
  list: { row: Stored; s: ActiveSession }[],
  seenAt: Date,
): Promise<void> {
  const values = join(
    list.map(
      ({ row, s }) =>
        sql`(${row.id}::uuid, ${whole(s.uptimeSeconds)}::bigint, ${whole(s.bytesIn)}::bigint,
             ${whole(s.bytesOut)}::bigint, ${s.ip})`,
    ),
  );
  await tx.execute(
    sql`UPDATE sessions s SET session_seconds = GREATEST(s.session_seconds, v.secs),
               input_bytes = GREATEST(s.input_bytes, v.bin), output_bytes = GREATEST(s.output_bytes, v.bout),
               ip = COALESCE(v.ip, s.ip), updated_at = ${seenAt}, stale_since = NULL
        FROM (VALUES ${values}) AS v(id, secs, bin, bout, ip) WHERE s.id = v.id`,
  );
}

const join = (parts: SQL[]) => sql.join(parts, sql`, `);
