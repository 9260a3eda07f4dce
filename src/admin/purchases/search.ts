/**
 * What a search box string means. A phone number filters by phone (indexed with created_at, so
 * paging stays an index scan); anything else is resolved first to the few purchase ids it can
 * name — id, ref, M-Pesa receipt, CheckoutRequestID or access code — each an exact index lookup.
 */
import { sql } from 'drizzle-orm';
import type { Deps } from '../../app/deps.ts';
import { query } from '../../db/open.ts';
import { normalizePhone } from '../../lib/phone.ts';
import { codeHashFor } from '../code-lookup.ts';

export type Search = { phone: string } | { ids: string[] } | null;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function resolveSearch(deps: Deps, raw: string | undefined): Promise<Search> {
  const q = raw?.trim();
  if (!q) return null;
  const phone = /^[+\d][\d\s-]{7,}$/.test(q) ? normalizePhone(q) : null;
  if (phone) return { phone };
  const ids = new Set<string>();
  if (UUID.test(q)) ids.add(q.toLowerCase());
  const upper = q.toUpperCase();
  const rows = await query<{ id: string }>(
    deps.db,
    sql`SELECT id FROM purchases WHERE ref = ${q} OR ref = ${upper}
        UNION SELECT id FROM purchases WHERE mpesa_receipt = ${upper}
        UNION SELECT id FROM purchases WHERE checkout_request_id = ${q}`,
  );
  for (const r of rows) ids.add(r.id);
  const hash = codeHashFor(deps, q);
  if (hash) {
    const c = await query<{ purchase_id: string | null; id: string }>(
      deps.db,
      sql`SELECT id, purchase_id FROM access_codes WHERE code_hash = ${hash}`,
    );
    if (c[0]) {
      if (c[0].purchase_id) ids.add(c[0].purchase_id);
      const p = await query<{ id: string }>(
        deps.db,
        sql`SELECT id FROM purchases WHERE access_code_id = ${c[0].id}`,
      );
      for (const r of p) ids.add(r.id);
    }
  }
  return { ids: [...ids] };
}
