/**
 * M-Pesa says the customer paid (an STK callback with ResultCode 0 and a receipt) but the purchase
 * was not credited: the callback came from another phone, lacked a field, or arrived for a push we
 * had already given up on. The reconciliation report lists it as "paid, no code"; this is its fix,
 * after staff have looked: credit the purchase through the one credit path (creditInTx), which
 * issues the code and texts it, exactly once (the claim and the UNIQUE receipt guard a double click).
 */
import { sql } from 'drizzle-orm';
import type { Deps } from '../app/deps.ts';
import { type Actor, audit } from '../audit/index.ts';
import { isUniqueViolation, query } from '../db/open.ts';
import { AppError } from '../lib/errors.ts';
import { parseStkCallback } from '../protocols/daraja/callbacks.ts';
import { creditInTx } from './credit.ts';

export async function creditReceivedPayment(
  deps: Deps,
  o: { inboxId: number; actor: Actor; ip: string | null },
): Promise<{ purchaseId: string; accessCodeId: string | null }> {
  const [row] = await query<{ kind: string; body: unknown; purchase_id: string | null }>(
    deps.db,
    sql`SELECT i.kind, i.body, COALESCE(i.purchase_id, p.id) AS purchase_id
        FROM callback_inbox i LEFT JOIN purchases p ON p.checkout_request_id = i.checkout_request_id
        WHERE i.id = ${o.inboxId}`,
  );
  const cb = row?.kind === 'stk' ? parseStkCallback(row.body) : null;
  if (!row || !cb) throw new AppError('not_found', 'No such M-Pesa result.');
  if (cb.resultCode !== '0' || !cb.receipt || cb.amountKes === null)
    throw new AppError('conflict', 'M-Pesa did not report this payment as paid.');
  if (!row.purchase_id) throw new AppError('conflict', 'No purchase of ours started this payment.');
  const purchaseId = row.purchase_id;
  let r: Awaited<ReturnType<typeof creditInTx>>;
  try {
    // The credit and who asked for it commit together.
    r = await deps.db.transaction(async (tx) => {
      const c = await creditInTx(tx, deps, {
        purchaseId,
        receipt: cb.receipt,
        paidAmountKes: cb.amountKes,
        source: 'stk_callback',
        resultDesc: cb.resultDesc,
      });
      if (c.outcome === 'credited')
        await audit(tx, deps, {
          actor: o.actor,
          action: 'purchase.credit_received_payment',
          entity: 'purchase',
          entityId: purchaseId,
          detail: { inboxId: o.inboxId, receipt: cb.receipt, accessCodeId: c.accessCodeId },
          ip: o.ip,
        });
      return c;
    });
  } catch (e) {
    if (isUniqueViolation(e, 'purchases_mpesa_receipt_key')) r = { outcome: 'duplicate_receipt' };
    else throw e;
  }
  if (r.outcome !== 'credited')
    throw new AppError(
      'conflict',
      r.outcome === 'already_paid'
        ? 'This purchase is already paid.'
        : 'This receipt already paid another purchase.',
    );
  deps.metrics.payment('stk', '0');
  return { purchaseId: purchaseId, accessCodeId: r.accessCodeId };
}
