/**
 * The audit log: every change an operator makes, with who, what and when. Written on the same
 * connection (transaction) as the change, so a change without its audit row cannot commit.
 */
import { sql } from 'drizzle-orm';
import { type Conn, query } from '../db/open.ts';
import type { Clock } from '../lib/clock.ts';

export interface Actor {
  id: number | null;
  username: string;
}

export const SYSTEM: Actor = { id: null, username: 'system' };

export interface AuditEntry {
  actor: Actor;
  action: string;
  entity?: string;
  entityId?: string | number | null;
  /** What changed; never secrets (callers pass field names for sealed values, not the values). */
  detail?: Record<string, unknown>;
  ip?: string | null;
}

export async function audit(conn: Conn, clock: Clock, e: AuditEntry): Promise<void> {
  await query(
    conn,
    sql`INSERT INTO audit_log (at, actor_id, actor, action, entity, entity_id, detail, ip)
        VALUES (${clock.now()}, ${e.actor.id}, ${e.actor.username}, ${e.action}, ${e.entity ?? null},
                ${e.entityId == null ? null : String(e.entityId)},
                ${e.detail ? JSON.stringify(e.detail) : null}::jsonb, ${e.ip ?? null})`,
  );
}
