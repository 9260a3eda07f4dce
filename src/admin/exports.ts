/** CSV exports, streamed a keyset page at a time. */
import { sql } from 'drizzle-orm';
import type { Readable } from 'node:stream';
import type { Deps } from '../app/deps.ts';
import { asDate, query } from '../db/open.ts';
import { csvStream } from './csv.ts';
import { fetchPurchases, type PurchaseFilters, purchaseConditions } from './purchases/list-purchases.ts';

const PAGE = 1000;

export async function exportPurchases(deps: Deps, f: PurchaseFilters): Promise<Readable> {
  const base = await purchaseConditions(deps, f);
  const header = [
    'id',
    'ref',
    'created_at',
    'status',
    'channel',
    'purpose',
    'plan',
    'amount_kes',
    'phone',
    'mpesa_receipt',
    'result_code',
    'router',
    'paid_at',
  ];
  return csvStream(header, async function* () {
    if (!base) return;
    let after: { t: string; id: string } | null = null;
    for (;;) {
      const where = [...base];
      if (after) where.push(sql`(p.created_at, p.id) < (${after.t}::timestamptz, ${after.id}::uuid)`);
      const rows = await fetchPurchases(deps, where, PAGE);
      yield rows.map((r) => [
        r.id,
        r.ref,
        asDate(r.created_at),
        r.status,
        r.channel,
        r.purpose,
        r.plan_name,
        r.amount_kes,
        r.phone,
        r.mpesa_receipt,
        r.result_code,
        r.router_name,
        r.paid_at ? asDate(r.paid_at) : null,
      ]);
      if (rows.length < PAGE) return;
      const last = rows[rows.length - 1]!;
      after = { t: last.created_at, id: last.id };
    }
  });
}

export function exportCustomers(deps: Deps): Readable {
  const head = ['phone', 'name', 'first_seen', 'last_seen', 'paid_purchases', 'spent_kes', 'codes'];
  return csvStream(head, async function* () {
    let after: string | null = null;
    for (;;) {
      const rows: Record<string, any>[] = await query<Record<string, any>>(
        deps.db,
        sql`SELECT a.* FROM customer_activity a WHERE (${after}::text IS NULL OR a.phone > ${after}::text)
            ORDER BY a.phone LIMIT ${PAGE}`,
      );
      yield rows.map((r) => [
        r.phone,
        r.name,
        asDate(r.first_seen),
        asDate(r.last_seen),
        r.purchases,
        Number(r.spent),
        r.codes,
      ]);
      if (rows.length < PAGE) return;
      after = rows[rows.length - 1]!.phone;
    }
  });
}
