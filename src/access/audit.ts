import { sql } from 'drizzle-orm';
import type { Deps } from '../app/deps.ts';
import type { Conn } from '../db/open.ts';

/** One audit_log row. `actor` is 'public' for the portal/API, 'admin' (with actorId) for staff. */
export async function audit(
  conn: Conn,
  deps: Deps,
  e: {
    actor: string;
    actorId?: number | null;
    action: string;
    entity?: string | null;
    entityId?: string | null;
    detail?: unknown;
    ip?: string | null;
  },
): Promise<void> {
  await conn.execute(
    sql`INSERT INTO audit_log (at, actor_id, actor, action, entity, entity_id, detail, ip)
        VALUES (${deps.clock.now()}, ${e.actorId ?? null}, ${e.actor}, ${e.action}, ${e.entity ?? null},
                ${e.entityId ?? null}, ${e.detail === undefined ? null : JSON.stringify(e.detail)}::jsonb, ${e.ip ?? null})`,
  );
}
