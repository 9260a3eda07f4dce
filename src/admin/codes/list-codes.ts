/** Access codes (purchased and vouchers): filters, search by code or phone, keyset paging. */
import { type SQL, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Deps } from '../../app/deps.ts';
import { asDate, query } from '../../db/open.ts';
import { ACCESS_STATUSES } from '../../db/schema.ts';
import { maskCode } from '../../access/index.ts';
import { AppError } from '../../lib/errors.ts';
import { normalizePhone } from '../../lib/phone.ts';
import { codeHashFor } from '../code-lookup.ts';
import { decodeCursor, type Page, pageQuery, toPage, uuidSchema } from '../../http/paging.ts';

export const listCodesQuery = z.object({
  q: z.string().max(100).optional(),
  status: z.enum(ACCESS_STATUSES).optional(),
  kind: z.enum(['purchase', 'voucher']).optional(),
  planId: z.coerce.number().int().positive().optional(),
  batchId: uuidSchema.optional(),
  ...pageQuery,
});

export interface CodeRow {
  id: string;
  /** The code itself, or masked (maskCode) for a role that may not read codes. */
  code: string;
  codeMasked: boolean;
  batchLabel: string | null;
  kind: string;
  status: string;
  planId: number;
  planName: string;
  batchId: string | null;
  purchaseId: string | null;
  phone: string | null;
  issuedAt: string;
  activatedAt: string | null;
  expiresAt: string | null;
  usedSeconds: number;
  usedBytes: number;
  devices: number;
}

const iso = (v: unknown) => (v ? asDate(v).toISOString() : null);

/** Rows to API shape; `reveal` says whether the caller's role may read codes (policy.ts). */
const mapper =
  (deps: Deps, reveal: boolean) =>
  (r: Record<string, any>): CodeRow => {
    const code = deps.sealer.unseal(r.code_sealed);
    return {
      id: r.id,
      code: reveal ? code : maskCode(code),
      codeMasked: !reveal,
      batchLabel: r.batch_label ?? null,
      ...fields(r),
    };
  };

const fields = (r: Record<string, any>) => ({
  kind: r.kind,
  status: r.status,
  planId: r.plan_id,
  planName: r.plan_name,
  batchId: r.batch_id,
  purchaseId: r.purchase_id,
  phone: r.phone,
  issuedAt: asDate(r.issued_at).toISOString(),
  activatedAt: iso(r.activated_at),
  expiresAt: iso(r.expires_at),
  usedSeconds: Number(r.used_seconds),
  usedBytes: Number(r.used_bytes),
  devices: Number(r.devices),
});

const SELECT = sql`SELECT c.id, c.code_sealed, c.kind, c.status, c.plan_id, pl.name AS plan_name, c.batch_id, b.label AS batch_label,
               c.purchase_id, c.phone, c.issued_at, c.activated_at, c.expires_at, c.used_seconds, c.used_bytes, c.devices`;
const FROM = sql`FROM access_codes c JOIN plans pl ON pl.id = c.plan_id LEFT JOIN voucher_batches b ON b.id = c.batch_id`;

export async function listCodes(
  deps: Deps,
  f: z.output<typeof listCodesQuery>,
  reveal: boolean,
): Promise<Page<CodeRow>> {
  const where: SQL[] = [];
  const q = f.q?.trim();
  if (q) {
    const phone = /^[+\d][\d\s-]{7,}$/.test(q) ? normalizePhone(q) : null;
    if (phone) where.push(sql`c.phone = ${phone}`);
    else {
      const hash = codeHashFor(deps, q);
      if (!hash) return { items: [], nextCursor: null };
      where.push(sql`c.code_hash = ${hash}`);
    }
  }
  if (f.status) where.push(sql`c.status = ${f.status}`);
  if (f.kind) where.push(sql`c.kind = ${f.kind}`);
  if (f.planId) where.push(sql`c.plan_id = ${f.planId}`);
  if (f.batchId) where.push(sql`c.batch_id = ${f.batchId}`);
  const cursor = decodeCursor(f.cursor);
  if (cursor) where.push(sql`(c.issued_at, c.id) < (${cursor.t}::timestamptz, ${cursor.id}::uuid)`);
  const cond = where.length ? sql`WHERE ${sql.join(where, sql` AND `)}` : sql``;
  const rows = await query<Record<string, any>>(
    deps.db,
    sql`${SELECT} ${FROM} ${cond} ORDER BY c.issued_at DESC, c.id DESC LIMIT ${f.limit + 1}`,
  );
  return toPage(rows, f.limit, (r) => ({ t: r.issued_at, id: r.id }), mapper(deps, reveal));
}

export interface CodeDetail extends CodeRow {
  clock: 'wall' | 'uptime';
  durationSeconds: number;
  dataCapBytes: number | null;
  validUntil: string | null;
  revokedAt: string | null;
  expiredAt: string | null;
  boundDevices: { mac: string; boundAt: string | null; lastSeenAt: string | null }[];
  sessions: {
    id: string;
    status: string;
    mac: string | null;
    ip: string | null;
    router: string | null;
    startedAt: string | null;
    stoppedAt: string | null;
    seconds: number;
  }[];
}

export async function getCode(deps: Deps, id: string, reveal: boolean): Promise<CodeDetail> {
  const rows = await query<Record<string, any>>(
    deps.db,
    sql`${SELECT}, c.clock, c.duration_seconds, c.data_cap_bytes, c.valid_until, c.revoked_at, c.expired_at
        ${FROM} WHERE c.id = ${id}`,
  );
  const c = rows[0];
  if (!c) throw new AppError('not_found', 'No such access code.');
  const devices = await query<{ mac: string; bound_at: string; last_seen_at: string | null }>(
    deps.db,
    sql`SELECT mac, bound_at, last_seen_at FROM access_devices WHERE access_code_id = ${id} ORDER BY bound_at`,
  );
  const sessions = await query<Record<string, any>>(
    deps.db,
    sql`SELECT s.id, s.status, s.mac, s.ip, s.started_at, s.stopped_at, s.session_seconds, r.name AS router
        FROM sessions s LEFT JOIN routers r ON r.id = s.router_id
        WHERE s.access_code_id = ${id} ORDER BY s.started_at DESC LIMIT 50`,
  );
  return {
    ...mapper(deps, reveal)(c),
    clock: c.clock,
    durationSeconds: Number(c.duration_seconds),
    dataCapBytes: c.data_cap_bytes == null ? null : Number(c.data_cap_bytes),
    validUntil: iso(c.valid_until),
    revokedAt: iso(c.revoked_at),
    expiredAt: iso(c.expired_at),
    boundDevices: devices.map((d) => ({
      mac: d.mac,
      boundAt: iso(d.bound_at),
      lastSeenAt: iso(d.last_seen_at),
    })),
    sessions: sessions.map((s) => ({
      id: s.id,
      status: s.status,
      mac: s.mac,
      ip: s.ip,
      router: s.router,
      startedAt: iso(s.started_at),
      stoppedAt: iso(s.stopped_at),
      seconds: Number(s.session_seconds),
    })),
  };
}
