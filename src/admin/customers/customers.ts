/**
 * Customers: every phone Wavu has sold to or texted a code to (the `customer_activity` view, see
 * migration 1300), with what they bought, their codes, total spent and when they were last seen.
 * Keyset paging on (last seen, phone), most recent first.
 */
import { type SQL, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Deps } from '../../app/deps.ts';
import { asDate, query } from '../../db/open.ts';
import { AppError } from '../../lib/errors.ts';
import { normalizePhone } from '../../lib/phone.ts';
import { decodeCursor, type Page, pageQuery, toPage } from '../../http/paging.ts';
import { fetchPurchases, mapPurchase, type PurchaseRow } from '../purchases/list-purchases.ts';

export const listCustomersQuery = z.object({
  q: z.string().max(64).optional(),
  ...pageQuery,
});

/** A customer is named by their phone (2547XXXXXXXX); any way of writing it is accepted. */
export const customerParam = z.object({
  id: z
    .string()
    .max(20)
    .transform((s, ctx) => {
      const phone = normalizePhone(s);
      if (!phone) ctx.addIssue({ code: 'custom', message: 'Not a Kenyan mobile number' });
      return phone ?? '';
    }),
});

export interface CustomerRow {
  /** The phone, as the id in URLs. */
  id: string;
  phone: string;
  name: string | null;
  firstSeenAt: string;
  lastSeenAt: string;
  purchases: number;
  spentKes: number;
  lastPaidAt: string | null;
  codes: number;
  /** The phone asked for no reminder texts (replied STOP/ACHA, or staff switched them off). */
  remindersOff: boolean;
}

const iso = (v: unknown) => (v ? asDate(v).toISOString() : null);

const map = (r: Record<string, any>): CustomerRow => ({
  id: r.phone,
  phone: r.phone,
  name: r.name,
  firstSeenAt: asDate(r.first_seen).toISOString(),
  lastSeenAt: asDate(r.last_seen).toISOString(),
  purchases: Number(r.purchases),
  spentKes: Number(r.spent),
  lastPaidAt: iso(r.last_paid),
  codes: Number(r.codes),
  remindersOff: r.reminders_off === true,
});

/** The customer view with its reminder opt-out (src/notify/opt-out.ts). */
const activity = sql`(SELECT v.*, EXISTS (SELECT 1 FROM sms_opt_outs o WHERE o.phone = v.phone) AS reminders_off
                        FROM customer_activity v)`;

export async function listCustomers(
  deps: Deps,
  f: z.output<typeof listCustomersQuery>,
): Promise<Page<CustomerRow>> {
  const where: SQL[] = [];
  const q = f.q?.trim();
  if (q) {
    const phone = normalizePhone(q);
    const digits = q.replace(/\D/g, '');
    if (phone) where.push(sql`a.phone = ${phone}`);
    else if (digits.length >= 3 && digits.length === q.replace(/[\s+-]/g, '').length)
      where.push(sql`a.phone LIKE ${`%${digits.replace(/^0/, '')}%`}`);
    else where.push(sql`lower(a.name) LIKE ${`%${q.toLowerCase().replace(/[\\%_]/g, '\\$&')}%`}`);
  }
  const cursor = decodeCursor(f.cursor);
  if (cursor) where.push(sql`(a.last_seen, a.phone) < (${cursor.t}::timestamptz, ${cursor.id})`);
  const cond = where.length ? sql`WHERE ${sql.join(where, sql` AND `)}` : sql``;
  const rows = await query<Record<string, any>>(
    deps.db,
    sql`SELECT a.* FROM ${activity} a ${cond} ORDER BY a.last_seen DESC, a.phone DESC LIMIT ${f.limit + 1}`,
  );
  return toPage(rows, f.limit, (r) => ({ t: r.last_seen, id: r.phone }), map);
}

export interface CustomerDetail extends CustomerRow {
  recentPurchases: PurchaseRow[];
  recentCodes: {
    id: string;
    status: string;
    kind: string;
    planName: string;
    issuedAt: string;
    expiresAt: string | null;
  }[];
}

export async function getCustomer(deps: Deps, phone: string): Promise<CustomerDetail> {
  const rows = await query<Record<string, any>>(
    deps.db,
    sql`SELECT a.* FROM ${activity} a WHERE a.phone = ${phone}`,
  );
  if (!rows[0]) throw new AppError('not_found', 'No customer with that phone.');
  const customer = map(rows[0]);
  const purchases = await fetchPurchases(deps, [sql`p.phone = ${phone}`], 50);
  const codes = await query<Record<string, any>>(
    deps.db,
    sql`SELECT c.id, c.status, c.kind, pl.name AS plan_name, c.issued_at, c.expires_at FROM access_codes c
        JOIN plans pl ON pl.id = c.plan_id WHERE c.phone = ${phone} ORDER BY c.issued_at DESC LIMIT 50`,
  );
  return {
    ...customer,
    recentPurchases: purchases.map(mapPurchase),
    recentCodes: codes.map((c) => ({
      id: c.id,
      status: c.status,
      kind: c.kind,
      planName: c.plan_name,
      issuedAt: asDate(c.issued_at).toISOString(),
      expiresAt: iso(c.expires_at),
    })),
  };
}
