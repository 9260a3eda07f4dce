/**
 * The setup the STK callback benchmarks share: a payments app with one api-mode router, pending
 * STK purchases as startPurchase leaves them (device and router known), and a poster of the paid
 * callback Daraja would send for each.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { query } from '../src/db/open.ts';
import { darajaTimestamp } from '../src/protocols/daraja/time.ts';
import { TEST_CALLBACK_SECRET } from '../test/helpers/app.ts';
import { startPaymentsApp } from '../test/payments/helpers.ts';

function successBody(checkout: string, amount: number, phone: string, receipt: string) {
  return JSON.stringify({
    Body: {
      stkCallback: {
        MerchantRequestID: `${randomUUID().slice(0, 4)}-bench`,
        CheckoutRequestID: checkout,
        ResultCode: 0,
        ResultDesc: 'The service request is processed successfully.',
        CallbackMetadata: {
          Item: [
            { Name: 'Amount', Value: amount },
            { Name: 'MpesaReceiptNumber', Value: receipt },
            { Name: 'Balance' },
            { Name: 'TransactionDate', Value: Number(darajaTimestamp(new Date())) },
            { Name: 'PhoneNumber', Value: Number(phone) },
          ],
        },
      },
    },
  });
}

export async function startStkBench() {
  const h = await startPaymentsApp();
  const db = h.app.deps.db;
  const [router] = await query<{ id: number }>(
    db,
    sql`INSERT INTO routers (name, mode, host, username) VALUES ('bench-1', 'api', '127.0.0.1', 'admin') RETURNING id`,
  );
  let seq = 0;
  /** A pending STK purchase, and the body of the callback that pays it. */
  async function pending(): Promise<{ id: string; body: string }> {
    const i = seq++;
    const id = randomUUID();
    const phone = `2547${String(10_000_000 + i).slice(-8)}`;
    const checkout = `ws_CO_bench${String(i).padStart(8, '0')}`;
    const receipt = `UKN${String(i).padStart(7, '0')}`;
    const mac = `02:00:00:${[i >> 16, (i >> 8) & 255, i & 255].map((b) => b.toString(16).padStart(2, '0').toUpperCase()).join(':')}`;
    await db.execute(
      sql`INSERT INTO purchases (id, ref, plan_id, phone, amount_kes, channel, status, checkout_request_id, mac, router_id)
          VALUES (${id}, ${`B${i}`}, 1, ${phone}, 20, 'stk', 'pending', ${checkout}, ${mac}, ${router!.id})`,
    );
    return { id, body: successBody(checkout, 20, phone, receipt) };
  }
  const url = `${h.url}/callbacks/stk/${TEST_CALLBACK_SECRET}`;
  const post = (body: string) =>
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body }).then((r) =>
      r.arrayBuffer(),
    );
  /** How many pending purchases have been made. */
  const made = () => seq;
  return { h, db, routerId: router!.id, pending, post, made, url };
}
