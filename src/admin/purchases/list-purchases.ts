/** The purchases table: filters, search and keyset paging, newest first. */
import { type SQL, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Deps } from '../../app/deps.ts';
import { asDate, query } from '../../db/open.ts';
import { PURCHASE_STATUSES } from '../../db/schema.ts';
import { decodeCursor, type Page, pageQuery, toPage, whenSchema } from '../../http/paging.ts';
import { resolveSearch } from './search.ts';

export const purchaseFilters = z.object({
  q: z.string().max(100).optional(),
  status: z.enum(PURCHASE_STATUSES).optional(),
  channel: z.enum(['stk', 'c2b', 'cash']).optional(),
  planId: z.coerce.number().int().positive().optional(),
  routerId: z.coerce.number().int().positive().optional(),
  from: whenSchema.optional(),
  to: whenSchema.optional(),
});
export const listPurchasesQuery = purchaseFilters.extend(pageQuery);
export type PurchaseFilters = z.output<typeof purchaseFilters>;

export interface PurchaseRow {
  id: string;
  ref: string;
  createdAt: string;
  status: string;
  channel: string;
  purpose: string;
  planId: number;
  planName: string;
  amountKes: number;
  phone: string | null;
  receipt: string | null;
  resultCode: string | null;
  resultDesc: string | null;
  routerId: number | null;
  routerName: string | null;
  paidAt: string | null;
  accessCodeId: string | null;
}

interface Raw {
  id: string;
  ref: string;
  created_at: string;
  status: string;
  channel: string;
  purpose: string;
  plan_id: number;
  plan_name: string;
  amount_kes: number;
  phone: string | null;
  mpesa_receipt: string | null;
  result_code: string | null;
  result_desc: string | null;
  router_id: number | null;
  router_name: string | null;
  paid_at: string | null;
  access_code_id: string | null;
}

const iso = (v: string | null) => (v ? asDate(v).toISOString() : null);

export const mapPurchase = (r: Raw): PurchaseRow => ({
  id: r.id,
  ref: r.ref,
  createdAt: asDate(r.created_at).toISOString(),
  status: r.status,
  channel: r.channel,
  purpose: r.purpose,
  planId: r.plan_id,
  planName: r.plan_name,
  amountKes: Number(r.amount_kes),
  phone: r.phone,
  receipt: r.mpesa_receipt,
  resultCode: r.result_code,
  resultDesc: r.result_desc,
  routerId: r.router_id,
  routerName: r.router_name,
  paidAt: iso(r.paid_at),
  accessCodeId: r.access_code_id,
});

/** WHERE conditions for the filters; null when the search can match nothing. */
export async function purchaseConditions(deps: Deps, f: PurchaseFilters): Promise<SQL[] | null> {
  const where: SQL[] = [];
  const search = await resolveSearch(deps, f.q);
  if (search && 'phone' in search) where.push(sql`p.phone = ${search.phone}`);
  if (search && 'ids' in search) {
    if (!search.ids.length) return null;
    where.push(
      sql`p.id IN (${sql.join(
        search.ids.map((id) => sql`${id}::uuid`),
        sql`, `,
      )})`,
    );
  }
  if (f.status) where.push(sql`p.status = ${f.status}`);
  if (f.channel) where.push(sql`p.channel = ${f.channel}`);
  if (f.planId) where.push(sql`p.plan_id = ${f.planId}`);
  if (f.routerId) where.push(sql`p.router_id = ${f.routerId}`);
  if (f.from) where.push(sql`p.created_at >= ${f.from}`);
  if (f.to) where.push(sql`p.created_at < ${f.to}`);
  return where;
}

export async function fetchPurchases(deps: Deps, where: SQL[], limit: number): Promise<Raw[]> {
  const cond = where.length ? sql`WHERE ${sql.join(where, sql` AND `)}` : sql``;
  return query<Raw>(
    deps.db,
    sql`SELECT p.id, p.ref, p.created_at, p.status, p.channel, p.purpose, p.plan_id, pl.name AS plan_name,
               p.amount_kes, p.phone, p.mpesa_receipt, p.result_code, p.result_desc, p.router_id,
               r.name AS router_name, p.paid_at, p.access_code_id
        FROM purchases p
        JOIN plans pl ON pl.id = p.plan_id
        LEFT JOIN routers r ON r.id = p.router_id
        ${cond}
        ORDER BY p.created_at DESC, p.id DESC
        LIMIT ${limit}`,
  );
}

export async function listPurchases(
  deps: Deps,
  f: z.output<typeof listPurchasesQuery>,
): Promise<Page<PurchaseRow>> {
  const where = await purchaseConditions(deps, f);
  if (!where) return { items: [], nextCursor: null };
  const cursor = decodeCursor(f.cursor);
  if (cursor) where.push(sql`(p.created_at, p.id) < (${cursor.t}::timestamptz, ${cursor.id}::uuid)`);
  const rows = await fetchPurchases(deps, where, f.limit + 1);
  return toPage(rows, f.limit, (r) => ({ t: r.created_at, id: r.id }), mapPurchase);
}
