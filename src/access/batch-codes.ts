/**
 * What the vouchers feature may do to the codes of a batch, kept here with the rest of the code
 * lifecycle (access owns `access_codes`). Each touches only codes nobody holds yet: never used,
 * and for a change of terms never sold either, so nothing a customer paid for changes under them.
 * Called inside the caller's transaction, after it has locked the batch.
 */
import { sql } from 'drizzle-orm';
import { type Conn, query } from '../db/open.ts';

export interface CodeTerms {
  id: number;
  durationSeconds: number;
  clock: string;
  dataCapBytes: number | null;
  devices: number;
}

/** Stop the batch's unused codes working. An unused code is on no router (it binds at first login), so no gateway job is needed. */
export async function revokeUnusedOfBatch(conn: Conn, batchId: string, now: Date): Promise<number> {
  const rows = await query<{ id: string }>(
    conn,
    sql`UPDATE access_codes SET status = 'revoked', revoked_at = ${now}, updated_at = ${now}
        WHERE batch_id = ${batchId} AND status = 'issued' RETURNING id`,
  );
  return rows.length;
}

/** How many of the batch's codes were ever sold, used or revoked (a batch with any cannot go). */
export async function heldCodesOfBatch(conn: Conn, batchId: string): Promise<number> {
  const [r] = await query<{ n: number }>(
    conn,
    sql`SELECT count(*)::int AS n FROM access_codes
        WHERE batch_id = ${batchId} AND (status <> 'issued' OR sold_at IS NOT NULL OR purchase_id IS NOT NULL)`,
  );
  return Number(r!.n);
}

/** Delete the batch's codes; the caller has checked that `heldCodesOfBatch` is 0. */
export async function deleteCodesOfBatch(conn: Conn, batchId: string): Promise<number> {
  const rows = await query<{ id: string }>(
    conn,
    sql`DELETE FROM access_codes WHERE batch_id = ${batchId} RETURNING id`,
  );
  return rows.length;
}

/** Give the batch's unused, unsold codes a plan's terms, as if made for it. */
export async function retermUnusedOfBatch(
  conn: Conn,
  batchId: string,
  plan: CodeTerms,
  now: Date,
): Promise<number> {
  const rows = await query<{ id: string }>(
    conn,
    sql`UPDATE access_codes SET plan_id = ${plan.id}, duration_seconds = ${plan.durationSeconds}, clock = ${plan.clock},
               data_cap_bytes = ${plan.dataCapBytes}, devices = ${plan.devices}, updated_at = ${now}
        WHERE batch_id = ${batchId} AND status = 'issued' AND sold_at IS NULL RETURNING id`,
  );
  return rows.length;
}
