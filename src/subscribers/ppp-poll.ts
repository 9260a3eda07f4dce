/**
 * An api-mode router's `/ppp active` list → `ppp_sessions` (such a router sends no accounting, so
 * the session poll asks it; see gateways/sessions). Runs inside the poll's transaction, after the
 * router row's `sessions_seen_at` gate, so two nodes polling together apply their answers one
 * after the other and an older answer never reopens what a newer one closed.
 *
 *  - a listed session of one of our subscribers (by `/ppp secret` name) is opened, or its
 *    uptime and address brought up to date;
 *  - a stored session no longer listed is closed at its last report (`Gone-From-Router`);
 *  - RouterOS numbers `/ppp active` from `*1` again after a reboot: a listed id whose uptime went
 *    down, or whose name or caller changed, is a new session (the old one `Counter-Reset`).
 * `/ppp active` has no byte counters, so a poll adds no usage to the period: polling twice
 * changes nothing but the uptime. Sessions of the operator's own secrets are not ours and are left out.
 */
import { sql } from 'drizzle-orm';
import { type Conn, query } from '../db/open.ts';
import type { PppActive } from '../gateways/index.ts';

export interface PppPollResult {
  opened: number;
  updated: number;
  closed: number;
}

interface Stored {
  id: string | number;
  subscriber_id: number;
  session_key: string;
  caller_id: string | null;
  session_seconds: string | number;
}

const whole = (n: number) => Math.max(0, Math.floor(Number.isFinite(n) ? n : 0));

export async function syncPolledPppSessions(
  tx: Conn,
  routerId: number,
  list: PppActive[],
  seenAt: Date,
): Promise<PppPollResult> {
  const result: PppPollResult = { opened: 0, updated: 0, closed: 0 };
  const reported = new Map(list.map((a) => [a.id, a]));
  const names = [...new Set(list.map((a) => a.name))];
  const subs = names.length
    ? await query<{ id: number; username: string }>(
        tx,
        sql`SELECT id, username FROM subscribers WHERE username IN (${sql.join(
          names.map((n) => sql`${n}`),
          sql`, `,
        )})`,
      )
    : [];
  const subOf = new Map(subs.map((s) => [s.username, Number(s.id)]));
  const stored = await query<Stored>(
    tx,
    sql`SELECT id, subscriber_id, session_key, caller_id, session_seconds FROM ppp_sessions
        WHERE router_id = ${routerId} AND stopped_at IS NULL FOR UPDATE`,
  );
  const byKey = new Map(stored.map((r) => [r.session_key, r]));
  const close = async (row: Stored, cause: string) => {
    // The key is freed for the router to reuse: (router_id, session_key) is unique.
    await tx.execute(
      sql`UPDATE ppp_sessions SET stopped_at = updated_at, stop_cause = ${cause},
                 session_key = session_key || '#' || id::text
          WHERE id = ${row.id} AND stopped_at IS NULL`,
    );
    result.closed++;
  };

  for (const a of reported.values()) {
    const subscriberId = subOf.get(a.name);
    const row = byKey.get(a.id);
    const up = whole(a.uptimeSeconds);
    if (row) byKey.delete(a.id);
    const same =
      row &&
      Number(row.subscriber_id) === subscriberId &&
      (row.caller_id ?? null) === (a.callerId ?? null) &&
      up >= Number(row.session_seconds);
    if (row && same) {
      await tx.execute(
        sql`UPDATE ppp_sessions SET session_seconds = ${up}, framed_ip = COALESCE(${a.address}, framed_ip),
                   updated_at = ${seenAt}
            WHERE id = ${row.id}`,
      );
      result.updated++;
      continue;
    }
    if (row) await close(row, 'Counter-Reset');
    if (subscriberId === undefined) continue;
    await tx.execute(
      sql`INSERT INTO ppp_sessions (subscriber_id, router_id, session_key, framed_ip, caller_id, started_at,
                                    updated_at, session_seconds)
          VALUES (${subscriberId}, ${routerId}, ${a.id}, ${a.address}, ${a.callerId},
                  ${new Date(seenAt.getTime() - up * 1000)}, ${seenAt}, ${up})`,
    );
    result.opened++;
  }
  for (const row of byKey.values()) await close(row, 'Gone-From-Router');

  const live = [
    ...new Set([...reported.values()].map((a) => subOf.get(a.name)).filter((x) => x !== undefined)),
  ];
  if (live.length) {
    await tx.execute(
      sql`UPDATE subscribers SET last_seen_at = ${seenAt}
          WHERE id IN (${sql.join(
            live.map((id) => sql`${id}`),
            sql`, `,
          )})`,
    );
  }
  return result;
}
