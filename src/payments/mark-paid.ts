/**
 * Moving a purchase to `paid`: the one statement every path that takes money ends in (M-Pesa
 * crediting in credit.ts, a cash sale at the counter). Guarded by the transition table like every
 * other status change (status.ts), so a purchase that is already paid is never paid again: its
 * paid_at, amount and access code stay as they were, and the caller learns it from `false`.
 * Runs on the caller's transaction, beside the access it records.
 */
import { type SQL, sql } from 'drizzle-orm';
import { type Conn, query } from '../db/open.ts';
import type { Clock } from '../lib/clock.ts';
import { inList, PURCHASES_CHANNEL } from './sql-helpers.ts';
import { sourcesOf } from './status.ts';

export interface PaidWith {
  /** The access code issued (or extended) for this payment; null for a subscription payment. */
  accessCodeId: string | null;
  paidAmountKes: number;
  /** M-Pesa receipt; one already on the purchase is kept when this is null. */
  receipt?: string | null | undefined;
  /** Daraja's result, on M-Pesa paths; a cash sale has none and leaves the columns alone. */
  result?: { code: string; desc: string } | undefined;
}

/**
 * True when the purchase moved to paid; false when its status may not become paid. `also`: writes
 * that go with the payment (the buyer's SMS, the callback's inbox row), each an INSERT or UPDATE
 * with a RETURNING, run in this same statement to save their round trips. They run whether or
 * not the purchase moved, so a caller passes them only where `false` rolls its transaction back.
 */
export async function markPaid(
  tx: Conn,
  deps: { clock: Clock },
  purchaseId: string,
  w: PaidWith,
  also: SQL[] = [],
): Promise<boolean> {
  const now = deps.clock.now();
  const extra = also.map((part, i) => sql`, ${sql.raw(`also_${i}`)} AS (${part})`);
  // Referenced, so each runs to completion with its RETURNING (the job it enqueues) evaluated.
  const written = also.map((_p, i) => sql`, (SELECT count(*) FROM ${sql.raw(`also_${i}`)})`);
  // The NOTIFY that wakes the portal waiting on this purchase rides in the same statement.
  const rows = await query(
    tx,
    sql`WITH paid AS (
          UPDATE purchases SET status = 'paid', paid_at = ${now}, updated_at = ${now},
             access_code_id = ${w.accessCodeId},
             mpesa_receipt = COALESCE(${w.receipt ?? null}::text, mpesa_receipt),
             paid_amount_kes = ${w.paidAmountKes},
             result_code = COALESCE(${w.result?.code ?? null}::text, result_code),
             result_desc = COALESCE(${w.result?.desc ?? null}::text, result_desc),
             next_check_at = NULL
          WHERE id = ${purchaseId} AND status IN (${inList(sourcesOf('paid'))})
          RETURNING id)${sql.join(extra, sql``)}
        SELECT id, pg_notify(${PURCHASES_CHANNEL}, id::text)${sql.join(written, sql``)} FROM paid`,
  );
  return rows.length > 0;
}
