/**
 * agent_commands: what an agent router still has to do. Rows are intents (grant, revoke or
 * disconnect), so a poll builds each one from the database as it is then: a grant for a code
 * that has since been revoked is dropped instead of being sent.
 *
 * Rules (existing pull channels that ignored them re-added expired users):
 * - a revoke supersedes a pending grant of the same code on the same router;
 * - a command past its expiry is never sent; one sent but not acknowledged by then is dropped too
 *   (reconcile, which compares the router's report with the database, puts right what it missed);
 * - an ack counts once: a replayed one finds the row no longer `sent` and changes nothing.
 */
import { sql } from 'drizzle-orm';
import { type Conn, query } from '../../db/open.ts';
import type { AckResult } from './report.ts';

export const AGENT_CHANNEL = 'wavu_agent';
export type CommandKind = 'grant' | 'revoke' | 'disconnect' | 'ppp-secret' | 'ppp-kick';

/** How long each kind may wait for the router. Past it, reconcile is the safety net. */
export const COMMAND_TTL_MS: Record<CommandKind, number> = {
  grant: 10 * 60_000,
  revoke: 60 * 60_000,
  disconnect: 5 * 60_000,
  // A subscriber's secret: the router's copy matters until the next sync, which queues another.
  'ppp-secret': 60 * 60_000,
  'ppp-kick': 5 * 60_000,
};

export interface CommandRow {
  id: number;
  kind: CommandKind;
  access_code_id: string | null;
  payload: Record<string, string>;
  status: string;
}

const open = sql`status IN ('pending', 'sent')`;

/** Is this router polled (agent transport)? One place decides, for the grant writers. */
export async function isAgentRouter(conn: Conn, routerId: number): Promise<boolean> {
  const [r] = await query<{ t: string }>(
    conn,
    sql`SELECT api_transport AS t FROM routers WHERE id = ${routerId}`,
  );
  return r?.t === 'agent';
}

/**
 * Queue a command (idempotent: one open grant/revoke per code and router is enough). Runs on the
 * caller's connection, so inside the transaction that decided it; the NOTIFY wakes a held poll
 * on whichever node holds it, on commit.
 */
export async function queueCommand(
  conn: Conn,
  c: {
    routerId: number;
    kind: CommandKind;
    accessCodeId?: string | null;
    payload?: Record<string, string>;
    now: Date;
  },
): Promise<number | null> {
  const code = c.accessCodeId ?? null;
  if (c.kind === 'revoke' && code) {
    await conn.execute(
      sql`UPDATE agent_commands SET status = 'superseded', finished_at = ${c.now}
          WHERE router_id = ${c.routerId} AND access_code_id = ${code} AND kind = 'grant' AND status = 'pending'`,
    );
  }
  const payload = JSON.stringify(c.payload ?? {});
  if (c.kind === 'ppp-secret' || c.kind === 'ppp-kick') {
    // The newest secret of a subscriber is the one the router must hold, and a kick must come
    // after it (the re-dial has to find the new secret): older ones not yet sent give way.
    await conn.execute(
      sql`UPDATE agent_commands SET status = 'superseded', finished_at = ${c.now}
          WHERE router_id = ${c.routerId} AND kind = ${c.kind} AND status = 'pending'
            AND payload->>'name' = ${c.payload?.name ?? ''}`,
    );
  }
  if (code) {
    const [dup] = await query(
      conn,
      sql`SELECT 1 FROM agent_commands WHERE router_id = ${c.routerId} AND access_code_id = ${code}
            AND kind = ${c.kind} AND ${open}
            -- a grant already sent may be the one a revoke overtook: queue a fresh one after it
            AND NOT (kind = 'grant' AND status = 'sent' AND EXISTS (
              SELECT 1 FROM agent_commands r WHERE r.router_id = ${c.routerId} AND r.access_code_id = ${code}
                AND r.kind = 'revoke' AND r.id > agent_commands.id))`,
    );
    if (dup) return null;
  } else {
    const [dup] = await query(
      conn,
      sql`SELECT 1 FROM agent_commands WHERE router_id = ${c.routerId} AND kind = ${c.kind}
            AND payload = ${payload}::jsonb AND status = 'pending'`,
    );
    if (dup) return null;
  }
  const [row] = await query<{ id: number }>(
    conn,
    sql`INSERT INTO agent_commands (router_id, kind, access_code_id, payload, created_at, expires_at)
        VALUES (${c.routerId}, ${c.kind}, ${code}, ${payload}::jsonb, ${c.now},
                ${new Date(c.now.getTime() + COMMAND_TTL_MS[c.kind])})
        RETURNING id`,
  );
  await conn.execute(sql`SELECT pg_notify(${AGENT_CHANNEL}, ${String(c.routerId)})`);
  return Number(row!.id);
}

/** Past their expiry: never sent (again). */
export async function expireCommands(conn: Conn, routerId: number, now: Date): Promise<number> {
  const rows = await query(
    conn,
    sql`UPDATE agent_commands SET status = 'expired', finished_at = ${now}
        WHERE router_id = ${routerId} AND ${open} AND expires_at <= ${now} RETURNING id`,
  );
  return rows.length;
}

/**
 * The router rebooted: its record of what it ran is gone, so a command sent before may or may
 * not have run. Never send those again (that could run one twice); reconcile decides afresh.
 */
export async function loseSent(conn: Conn, routerId: number, now: Date, why: string): Promise<number> {
  const rows = await query(
    conn,
    sql`UPDATE agent_commands SET status = 'lost', finished_at = ${now}, result = ${why}
        WHERE router_id = ${routerId} AND status = 'sent' RETURNING id`,
  );
  return rows.length;
}

/** Apply acks; returns those that counted (a replay, or an id of another router, changes nothing). */
export async function applyAcks(
  conn: Conn,
  routerId: number,
  acks: { id: number; result: AckResult }[],
  now: Date,
): Promise<(CommandRow & { result: AckResult })[]> {
  const out: (CommandRow & { result: AckResult })[] = [];
  for (const a of acks) {
    const status = a.result === 'ok' ? 'done' : a.result === 'err' ? 'failed' : 'lost';
    const [row] = await query<CommandRow>(
      conn,
      sql`UPDATE agent_commands SET status = ${status}, finished_at = ${now}, result = ${a.result}
          WHERE id = ${a.id} AND router_id = ${routerId} AND status = 'sent'
          RETURNING id, kind, access_code_id, payload, status`,
    );
    if (row) out.push({ ...row, id: Number(row.id), result: a.result });
  }
  return out;
}

/** Open commands in the order they were decided (a revoke after the grant it follows). */
export async function openCommands(conn: Conn, routerId: number, limit: number): Promise<CommandRow[]> {
  const rows = await query<CommandRow>(
    conn,
    sql`SELECT id, kind, access_code_id, payload, status FROM agent_commands
        WHERE router_id = ${routerId} AND ${open} ORDER BY id LIMIT ${limit}`,
  );
  return rows.map((r) => ({
    ...r,
    id: Number(r.id),
    payload: typeof r.payload === 'string' ? JSON.parse(r.payload) : r.payload,
  }));
}

export async function markSent(conn: Conn, ids: number[], now: Date): Promise<void> {
  for (const id of ids) {
    await conn.execute(
      sql`UPDATE agent_commands SET status = 'sent', sent_at = COALESCE(sent_at, ${now})
          WHERE id = ${id} AND status IN ('pending', 'sent')`,
    );
  }
}

export async function finishCommand(conn: Conn, id: number, status: 'superseded', now: Date): Promise<void> {
  await conn.execute(
    sql`UPDATE agent_commands SET status = ${status}, finished_at = ${now} WHERE id = ${id} AND status = 'pending'`,
  );
}

export async function hasOpenCommands(conn: Conn, routerId: number): Promise<boolean> {
  const [r] = await query(
    conn,
    sql`SELECT 1 FROM agent_commands WHERE router_id = ${routerId} AND ${open} LIMIT 1`,
  );
  return !!r;
}

/** Is a grant of this code still on its way to an agent router (the portal waits for the ack)? */
export async function agentGrantWaiting(conn: Conn, accessCodeId: string): Promise<boolean> {
  const [r] = await query(
    conn,
    sql`SELECT 1 FROM agent_commands c JOIN access_grants g
          ON g.access_code_id = c.access_code_id AND g.router_id = c.router_id
        WHERE c.access_code_id = ${accessCodeId} AND c.kind = 'grant' AND c.status IN ('pending', 'sent')
          AND g.status = 'pending' LIMIT 1`,
  );
  return !!r;
}
