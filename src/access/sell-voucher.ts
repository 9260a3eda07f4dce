/**
 * Hand one unsold voucher of a plan to a purchase, atomically. Many buyers at once each get a
 * different voucher: the row is claimed with FOR UPDATE SKIP LOCKED (a locked row is skipped, not
 * waited on) and the UPDATE re-checks it is still unsold, so a voucher is sold at most once and
 * none is lost. Only online stock is sold this way; paper batches are sold by hand.
 */
import { sql } from 'drizzle-orm';
import type { Deps } from '../app/deps.ts';
import { type Conn, query } from '../db/open.ts';

export interface SoldVoucher {
  accessCodeId: string;
  code: string;
  /** Its own password (an imported user/password voucher), else null. */
  password: string | null;
}

/** Returns null when the plan has no unsold stock (the caller then makes a new code). */
export async function sellVoucher(
  tx: Conn,
  deps: Deps,
  o: { planId: number; purchaseId: string | null; phone?: string | null },
): Promise<SoldVoucher | null> {
  const now = deps.clock.now();
  // Under READ COMMITTED a row sold by a transaction that committed after our snapshot is
  // re-checked by FOR UPDATE and dropped; the next candidate is taken instead. Loop in case the
  // recheck in the outer UPDATE still finds it gone (then the stock may simply be empty).
  for (let attempt = 0; attempt < 3; attempt++) {
    const rows = await query<{ id: string; code_sealed: string; password_sealed: string | null }>(
      tx,
      sql`UPDATE access_codes SET sold_at = ${now}, purchase_id = ${o.purchaseId},
             phone = COALESCE(${o.phone ?? null}, phone), updated_at = ${now}
          WHERE id = (
            SELECT ac.id FROM access_codes ac
            JOIN voucher_batches b ON b.id = ac.batch_id
            WHERE ac.plan_id = ${o.planId} AND ac.kind = 'voucher' AND ac.status = 'issued'
              AND ac.sold_at IS NULL AND b.sell_online
              AND (ac.valid_until IS NULL OR ac.valid_until > ${now})
            ORDER BY ac.issued_at, ac.id
            LIMIT 1
            FOR UPDATE OF ac SKIP LOCKED)
            AND sold_at IS NULL AND status = 'issued'
          RETURNING id, code_sealed, password_sealed`,
    );
    const r = rows[0];
    if (r)
      return {
        accessCodeId: r.id,
        code: deps.sealer.unseal(r.code_sealed),
        password: r.password_sealed ? deps.sealer.unseal(r.password_sealed) : null,
      };
    const [left] = await query<{ n: number }>(
      tx,
      sql`SELECT count(*)::int AS n FROM access_codes ac JOIN voucher_batches b ON b.id = ac.batch_id
          WHERE ac.plan_id = ${o.planId} AND ac.kind = 'voucher' AND ac.status = 'issued'
            AND ac.sold_at IS NULL AND b.sell_online AND (ac.valid_until IS NULL OR ac.valid_until > ${now})`,
    );
    if (!left || Number(left.n) === 0) return null;
  }
  return null;
}

/** Unsold online stock per plan (admin dashboards, "low stock" warnings). */
export async function voucherStock(deps: Deps): Promise<{ planId: number; unsold: number }[]> {
  const now = deps.clock.now();
  const rows = await query<{ plan_id: number; n: number }>(
    deps.db,
    sql`SELECT ac.plan_id, count(*)::int AS n FROM access_codes ac JOIN voucher_batches b ON b.id = ac.batch_id
        WHERE ac.kind = 'voucher' AND ac.status = 'issued' AND ac.sold_at IS NULL AND b.sell_online
          AND (ac.valid_until IS NULL OR ac.valid_until > ${now})
        GROUP BY ac.plan_id ORDER BY ac.plan_id`,
  );
  return rows.map((r) => ({ planId: Number(r.plan_id), unsold: Number(r.n) }));
}
