/** Customers (a phone number) with what they bought; keyset paging by id, newest first. */
import { type SQL, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Deps } from '../../app/deps.ts';
import { asDate, query } from '../../db/open.ts';
import { AppError } from '../../lib/errors.ts';
import { normalizePhone } from '../../lib/phone.ts';
import { type Page, pageQuery } from '../../http/paging.ts';
import { fetchPurchases, mapPurchase, type PurchaseRow } from '../purchases/list-purchases.ts';

export const listCustomersQuery = z.object({
  q: z.string().max(64).optional(),
  cursor: z.string().regex(/^\d+$/).optional(),
  limit: pageQuery.limit,
});

export interface CustomerRow {
  id: number;
  phone: string;
  name: string | null;
  createdAt: string;
  purchases: number;
  spentKes: number;
  lastPaidAt: string | null;
}

const STATS = sql`CROSS JOIN LATERAL (
  SELECT count(*)::int AS purchases, coalesce(sum(coalesce(p.paid_amount_kes, p.amount_kes)), 0)::bigint AS spent,
         max(p.paid_at) AS last_paid
  FROM purchases p WHERE p.phone = c.phone AND p.status = 'paid') st`;

const map = (r: Record<string, any>): CustomerRow => ({
  id: r.id,
  phone: r.phone,
  name: r.name,
  createdAt: asDate(r.created_at).toISOString(),
  purchases: Number(r.purchases),
  spentKes: Number(r.spent),
  lastPaidAt: r.last_paid ? asDate(r.last_paid).toISOString() : null,
});

export async function listCustomers(
  deps: Deps,
  f: z.output<typeof listCustomersQuery>,
): Promise<Page<CustomerRow>> {
  const where: SQL[] = [];
  const q = f.q?.trim();
  if (q) {
    const phone = normalizePhone(q);
    if (phone) where.push(sql`c.phone = ${phone}`);
    else {
      const digits = q.replace(/\D/g, '');
      if (digits.length >= 3) where.push(sql`c.phone LIKE ${`%${digits}%`}`);
      else where.push(sql`lower(c.name) = lower(${q})`);
    }
  }
  if (f.cursor) where.push(sql`c.id < ${Number(f.cursor)}`);
  const cond = where.length ? sql`WHERE ${sql.join(where, sql` AND `)}` : sql``;
  const rows = await query<Record<string, any>>(
    deps.db,
    sql`SELECT c.id, c.phone, c.name, c.created_at, st.* FROM customers c ${STATS}
        ${cond} ORDER BY c.id DESC LIMIT ${f.limit + 1}`,
  );
  const more = rows.length > f.limit;
  const items = rows.slice(0, f.limit).map(map);
  return { items, nextCursor: more ? String(items[items.length - 1]!.id) : null };
}

export interface CustomerDetail extends CustomerRow {
  recentPurchases: PurchaseRow[];
  codes: {
    id: string;
    status: string;
    kind: string;
    planName: string;
    issuedAt: string;
    expiresAt: string | null;
  }[];
}

export async function getCustomer(deps: Deps, id: number): Promise<CustomerDetail> {
  const rows = await query<Record<string, any>>(
    deps.db,
    sql`SELECT c.id, c.phone, c.name, c.created_at, st.* FROM customers c ${STATS} WHERE c.id = ${id}`,
  );
  if (!rows[0]) throw new AppError('not_found', 'No such customer.');
  const customer = map(rows[0]);
  const purchases = await fetchPurchases(deps, [sql`p.phone = ${customer.phone}`], 50);
  const codes = await query<Record<string, any>>(
    deps.db,
    sql`SELECT c.id, c.status, c.kind, pl.name AS plan_name, c.issued_at, c.expires_at FROM access_codes c
        JOIN plans pl ON pl.id = c.plan_id WHERE c.phone = ${customer.phone} ORDER BY c.issued_at DESC LIMIT 50`,
  );
  return {
    ...customer,
    recentPurchases: purchases.map(mapPurchase),
    codes: codes.map((c) => ({
      id: c.id,
      status: c.status,
      kind: c.kind,
      planName: c.plan_name,
      issuedAt: asDate(c.issued_at).toISOString(),
      expiresAt: c.expires_at ? asDate(c.expires_at).toISOString() : null,
    })),
  };
}
