/** Voucher batches with how many of their codes are unused, in use, expired or revoked. */
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Deps } from '../../app/deps.ts';
import { asDate, query } from '../../db/open.ts';

export const listBatchesQuery = z.object({
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export interface BatchRow {
  id: string;
  label: string | null;
  planName: string;
  count: number;
  source: string;
  sellOnline: boolean;
  validUntil: string | null;
  createdAt: string;
  createdBy: string | null;
  /** Codes of the batch not used yet, in use, run out and revoked. */
  unused: number;
  inUse: number;
  expired: number;
  revoked: number;
}

export async function listBatches(
  deps: Deps,
  f: z.output<typeof listBatchesQuery>,
): Promise<{ items: BatchRow[]; nextCursor: string | null }> {
  const cursor = f.cursor ? Buffer.from(f.cursor, 'base64url').toString('utf8').split('|') : null;
  const rows = await query<Record<string, any>>(
    deps.db,
    sql`SELECT b.id, b.label, b.count, b.source, b.sell_online, b.valid_until, b.created_at, pl.name AS plan_name, u.username AS created_by,
               st.issued, st.active, st.expired, st.revoked
        FROM voucher_batches b JOIN plans pl ON pl.id = b.plan_id
        LEFT JOIN admin_users u ON u.id = b.created_by
        CROSS JOIN LATERAL (
          SELECT count(*) FILTER (WHERE status = 'issued')::int AS issued, count(*) FILTER (WHERE status = 'active')::int AS active,
                 count(*) FILTER (WHERE status = 'expired')::int AS expired, count(*) FILTER (WHERE status = 'revoked')::int AS revoked
          FROM access_codes c WHERE c.batch_id = b.id) st
        ${cursor ? sql`WHERE (b.created_at, b.id) < (${cursor[0]}::timestamptz, ${cursor[1]}::uuid)` : sql``}
        ORDER BY b.created_at DESC, b.id DESC LIMIT ${f.limit + 1}`,
  );
  const more = rows.length > f.limit;
  const items = rows.slice(0, f.limit);
  const last = items[items.length - 1];
  return {
    items: items.map((b) => ({
      id: b.id,
      label: b.label,
      planName: b.plan_name,
      count: Number(b.count),
      source: b.source,
      sellOnline: b.sell_online,
      validUntil: b.valid_until ? asDate(b.valid_until).toISOString() : null,
      createdAt: asDate(b.created_at).toISOString(),
      createdBy: b.created_by,
      unused: b.issued,
      inUse: b.active,
      expired: b.expired,
      revoked: b.revoked,
    })),
    nextCursor: more && last ? Buffer.from(`${last.created_at}|${last.id}`).toString('base64url') : null,
  };
}
