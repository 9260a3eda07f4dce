/** Moving a purchase to a non-paid final state, guarded by the transition table. */
import { sql } from 'drizzle-orm';
import type { Deps } from '../app/deps.ts';
import { type Conn, query } from '../db/open.ts';
import { inList, PURCHASES_CHANNEL } from './sql-helpers.ts';
import { STATUS_TIME_COLUMN, sourcesOf } from './status.ts';

/** After our own timeout, Daraja is asked again this long after expiry, in case money moved late. */
export const LATE_CHECK_AFTER_MS = 5 * 60_000;

export async function settleUnpaid(
  conn: Conn,
  deps: Deps,
  o: {
    purchaseId: string;
    status: 'failed' | 'cancelled' | 'expired';
    resultCode: string;
    resultDesc: string | null;
    /**
     * The STK callback that brought this answer: its inbox row is finished in the same statement,
     * `settled` when the purchase moved and `stale` when its status could no longer move.
     */
    inboxId?: number;
  },
): Promise<boolean> {
  const now = deps.clock.now();
  const col = sql.raw(STATUS_TIME_COLUMN[o.status]);
  // An expired push that reached Daraja gets one more look later; a definite answer needs none.
  const lateCheck =
    o.status === 'expired' && o.resultCode === 'timeout'
      ? new Date(now.getTime() + LATE_CHECK_AFTER_MS)
      : null;
  const inbox =
    o.inboxId === undefined
      ? sql``
      : sql`, inbox AS (
          UPDATE callback_inbox
             SET outcome = CASE WHEN EXISTS (SELECT 1 FROM settled) THEN 'settled' ELSE 'stale' END,
                 processed_at = ${now}::timestamptz, purchase_id = ${o.purchaseId}::uuid
           WHERE id = ${o.inboxId}::bigint)`;
  // The NOTIFY that wakes the portal waiting on this purchase rides in the same statement.
  const rows = await query(
    conn,
    sql`WITH settled AS (
          UPDATE purchases SET status = ${o.status}, ${col} = ${now}, updated_at = ${now},
                 result_code = ${o.resultCode}, result_desc = ${o.resultDesc},
                 next_check_at = CASE WHEN checkout_request_id IS NULL THEN NULL ELSE ${lateCheck}::timestamptz END
          WHERE id = ${o.purchaseId} AND status IN (${inList(sourcesOf(o.status))})
          RETURNING id)${inbox}
        SELECT id, pg_notify(${PURCHASES_CHANNEL}, id::text) FROM settled`,
  );
  if (!rows.length) return false;
  // Counted before the commit: in the STK callback's one transaction, a rollback (rare: the
  // settle is its last write) would leave this counted for a callback that the sweep settles again.
  deps.metrics.payment('stk', o.resultCode);
  return true;
}
