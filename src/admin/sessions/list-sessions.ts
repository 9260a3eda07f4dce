/**
 * Sessions (live by default): filter by router, search by MAC, IP or username; keyset paging.
 * Opening the list (its first page) also asks every api-mode router for its sessions now; that
 * only enqueues, so the page answers at once with what is stored (see request-poll.ts).
 */
import { type SQL, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Deps } from '../../app/deps.ts';
import { asDate, query } from '../../db/open.ts';
import { requestSessionsPoll } from '../../gateways/index.ts';
import { decodeCursor, type Page, pageQuery, toPage } from '../../http/paging.ts';

export const listSessionsQuery = z.object({
  status: z.enum(['active', 'closed', 'all']).default('active'),
  routerId: z.coerce.number().int().positive().optional(),
  q: z.string().max(64).optional(),
  ...pageQuery,
});

export interface SessionRow {
  id: string;
  status: string;
  routerId: number | null;
  routerName: string | null;
  accessCodeId: string | null;
  planName: string | null;
  username: string | null;
  mac: string | null;
  ip: string | null;
  startedAt: string;
  updatedAt: string;
  stoppedAt: string | null;
  /** Set while its router cannot be reached: the figures are as last reported. */
  staleSince: string | null;
  seconds: number;
  bytesIn: number;
  bytesOut: number;
}

export async function listSessions(
  deps: Deps,
  f: z.output<typeof listSessionsQuery>,
): Promise<Page<SessionRow>> {
  if (!f.cursor && f.status !== 'closed') await requestSessionsPoll(deps);
  const where: SQL[] = [];
  if (f.status !== 'all') where.push(sql`s.status = ${f.status}`);
  if (f.routerId) where.push(sql`s.router_id = ${f.routerId}`);
  const q = f.q?.trim();
  if (q) {
    const mac = q.toUpperCase().replace(/-/g, ':');
    where.push(sql`(s.mac = ${mac} OR s.ip = ${q} OR s.username = ${q})`);
  }
  const cursor = decodeCursor(f.cursor);
  if (cursor) where.push(sql`(s.started_at, s.id) < (${cursor.t}::timestamptz, ${cursor.id}::uuid)`);
  const cond = where.length ? sql`WHERE ${sql.join(where, sql` AND `)}` : sql``;
  const rows = await query<Record<string, any>>(
    deps.db,
    sql`SELECT s.*, r.name AS router_name, pl.name AS plan_name FROM sessions s
        LEFT JOIN routers r ON r.id = s.router_id
        LEFT JOIN access_codes c ON c.id = s.access_code_id
        LEFT JOIN plans pl ON pl.id = c.plan_id
        ${cond} ORDER BY s.started_at DESC, s.id DESC LIMIT ${f.limit + 1}`,
  );
  return toPage(
    rows,
    f.limit,
    (r) => ({ t: r.started_at, id: r.id }),
    (r) => ({
      id: r.id,
      status: r.status,
      routerId: r.router_id,
      routerName: r.router_name,
      accessCodeId: r.access_code_id,
      planName: r.plan_name,
      username: r.username,
      mac: r.mac,
      ip: r.ip,
      startedAt: asDate(r.started_at).toISOString(),
      updatedAt: asDate(r.updated_at).toISOString(),
      stoppedAt: r.stopped_at ? asDate(r.stopped_at).toISOString() : null,
      staleSince: r.stale_since ? asDate(r.stale_since).toISOString() : null,
      seconds: Number(r.session_seconds),
      bytesIn: Number(r.input_bytes),
      bytesOut: Number(r.output_bytes),
    }),
  );
}
