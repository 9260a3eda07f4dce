/** Reading the audit log: newest first, keyset by id, filter by who, what or which record. */
import { type SQL, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Deps } from '../app/deps.ts';
import type { Page } from '../admin/index.ts';
import { asDate, type Conn, query } from '../db/open.ts';

export const listAuditQuery = z.object({
  actor: z.string().max(64).optional(),
  action: z.string().max(64).optional(),
  entity: z.string().max(32).optional(),
  entityId: z.string().max(64).optional(),
  cursor: z.string().regex(/^\d+$/).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export interface AuditRow {
  id: number;
  at: string;
  actorId: number | null;
  actor: string;
  action: string;
  entity: string | null;
  entityId: string | null;
  detail: unknown;
  ip: string | null;
}

export async function listAudit(deps: Deps, f: z.output<typeof listAuditQuery>): Promise<Page<AuditRow>> {
  const where: SQL[] = [];
  if (f.actor) where.push(sql`actor = ${f.actor.toLowerCase()}`);
  if (f.action) where.push(sql`action LIKE ${`${f.action.replace(/[%_\\]/g, '')}%`}`);
  if (f.entity) where.push(sql`entity = ${f.entity}`);
  if (f.entityId) where.push(sql`entity_id = ${f.entityId}`);
  if (f.cursor) where.push(sql`id < ${Number(f.cursor)}`);
  const cond = where.length ? sql`WHERE ${sql.join(where, sql` AND `)}` : sql``;
  const rows = await query<Record<string, any>>(
    deps.db,
    sql`SELECT id, at, actor_id, actor, action, entity, entity_id, detail, ip FROM audit_log ${cond}
        ORDER BY id DESC LIMIT ${f.limit + 1}`,
  );
  const more = rows.length > f.limit;
  const items = rows.slice(0, f.limit).map((r) => ({
    id: Number(r.id),
    at: asDate(r.at).toISOString(),
    actorId: r.actor_id,
    actor: r.actor,
    action: r.action,
    entity: r.entity,
    entityId: r.entity_id,
    detail: typeof r.detail === 'string' ? JSON.parse(r.detail) : r.detail,
    ip: r.ip,
  }));
  return { items, nextCursor: more ? String(items[items.length - 1]!.id) : null };
}

/** One record's trail (a purchase's timeline in the admin screen), oldest first. */
export async function auditTrail(conn: Conn, entity: string, entityId: string, limit = 50) {
  return query<{ at: unknown; actor: string; action: string; detail: Record<string, unknown> | null }>(
    conn,
    sql`SELECT at, actor, action, detail FROM audit_log WHERE entity = ${entity} AND entity_id = ${entityId}
        ORDER BY at LIMIT ${limit}`,
  );
}
