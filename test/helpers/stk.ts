/**
 * An STK push as the database holds it once M-Pesa took it, and M-Pesa's success callback for
 * it: the fixture the tests and screenshot scripts seed paid (or wrongly paid) prompts with.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Deps } from '../../src/app/deps.ts';
import type { Conn } from '../../src/db/open.ts';
import { readCallbackBody } from '../../src/payments/callback-body.ts';
import { newRef } from '../../src/payments/ref.ts';
import { receiveC2bConfirmation } from '../../src/payments/c2b.ts';
import { receiveStkCallback } from '../../src/payments/stk-callback.ts';
import { TEST_CALLBACK_SECRET } from './app.ts';

export interface PendingStk {
  id: string;
  checkout: string;
  phone: string;
  amountKes: number;
}

/** A pending STK purchase, waiting for its callback. */
export async function insertPendingStk(
  db: Conn,
  o: {
    planId: number;
    phone: string;
    amountKes: number;
    at: Date;
    routerId?: number | null;
    mac?: string | null;
    ref?: string;
    checkout?: string;
    /** When the reconciler first asks M-Pesa about it; default: no check planned. */
    nextCheckAt?: Date | null;
  },
): Promise<PendingStk> {
  const id = randomUUID();
  const checkout = o.checkout ?? `ws_CO_${id.replace(/-/g, '')}`;
  await db.execute(
    sql`INSERT INTO purchases (id, ref, plan_id, phone, amount_kes, channel, purpose, status, checkout_request_id,
                               merchant_request_id, router_id, mac, next_check_at, created_at, updated_at)
        VALUES (${id}, ${o.ref ?? newRef()}, ${o.planId}, ${o.phone}, ${o.amountKes}, 'stk', 'access', 'pending',
                ${checkout}, 'm-1', ${o.routerId ?? null}, ${o.mac ?? null}, ${o.nextCheckAt ?? null}, ${o.at}, ${o.at})`,
  );
  return { id, checkout, phone: o.phone, amountKes: o.amountKes };
}

/** M-Pesa's success callback as documented (Balance without a Value), for what was paid. */
export function stkPaidBody(o: {
  checkout: string;
  amountKes: number;
  receipt: string;
  phone: string;
  transactionDate?: number;
}): unknown {
  return {
    Body: {
      stkCallback: {
        MerchantRequestID: 'm-1',
        CheckoutRequestID: o.checkout,
        ResultCode: 0,
        ResultDesc: 'The service request is processed successfully.',
        CallbackMetadata: {
          Item: [
            { Name: 'Amount', Value: o.amountKes },
            { Name: 'MpesaReceiptNumber', Value: o.receipt },
            { Name: 'Balance' },
            { Name: 'TransactionDate', Value: o.transactionDate ?? 20260302110000 },
            { Name: 'PhoneNumber', Value: Number(o.phone) },
          ],
        },
      },
    },
  };
}

/** A receipt number of M-Pesa's shape, new each call. */
export const freshReceipt = (): string => `TK${randomUUID().replace(/-/g, '').slice(0, 8).toUpperCase()}`;

/** The callback received as the callback route receives it, with the right secret. */
export function receiveStkBody(deps: Deps, body: unknown) {
  return receiveStkCallback(deps, {
    secret: TEST_CALLBACK_SECRET,
    body: readCallbackBody(JSON.stringify(body)),
    remoteAddr: '127.0.0.1',
  });
}

/** A Paybill (C2B) confirmation to `billRef` as Daraja posts it, delivered to the project's own handler. */
export function paybillBody(billRef: string, amountKes: number, transId = freshReceipt()) {
  return readCallbackBody(
    JSON.stringify({
      TransactionType: 'Pay Bill',
      TransID: transId,
      TransTime: '20260310120000',
      TransAmount: `${amountKes}.00`,
      BusinessShortCode: '174379',
      BillRefNumber: billRef,
      MSISDN: '2547 ***** 126',
      FirstName: 'WANJIKU',
    }),
  );
}

export const confirmPaybill = (deps: Deps, billRef: string, amountKes: number, transId?: string) =>
  receiveC2bConfirmation(deps, {
    secret: deps.config.mpesa.callbackSecret,
    body: paybillBody(billRef, amountKes, transId),
    remoteAddr: '127.0.0.1',
  }).then((r) => r.outcome);
