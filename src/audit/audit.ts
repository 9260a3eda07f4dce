/**
 * The audit log: every change, with who, what and when. Written on the caller's connection: a use
 * case passes its transaction, so a change and its audit row commit together or not at all.
 */
import { sql } from 'drizzle-orm';
import { type Conn, query } from '../db/open.ts';
import type { Clock } from '../lib/clock.ts';
import { type Actor, actorName, staffIdOf } from './actor.ts';

export interface AuditEntry {
  actor: Actor;
  action: string;
  entity?: string | null | undefined;
  entityId?: string | number | null | undefined;
  /** What changed; never secrets (callers pass field names for sealed values, not the values). */
  detail?: Record<string, unknown> | undefined;
  ip?: string | null | undefined;
}

export async function audit(conn: Conn, deps: { clock: Clock }, e: AuditEntry): Promise<void> {
  const detail =
    e.actor.kind === 'cli' && e.actor.osUser ? { ...e.detail, osUser: e.actor.osUser } : e.detail;
  await query(
    conn,
    sql`INSERT INTO audit_log (at, actor_id, actor, action, entity, entity_id, detail, ip)
        VALUES (${deps.clock.now()}, ${staffIdOf(e.actor)}, ${actorName(e.actor)}, ${e.action},
                ${e.entity ?? null}, ${e.entityId == null ? null : String(e.entityId)},
                ${detail ? JSON.stringify(detail) : null}::jsonb, ${e.ip ?? null})`,
  );
}
