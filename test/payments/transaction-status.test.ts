/**
 * Transaction Status against the Daraja simulator over real sockets: a receipt Wavu never saw is
 * checked with "Safaricom" and credited once, through the same claim as STK and C2B, only if it
 * went to our shortcode with a plan's amount. Duplicated results, a racing STK callback, forged
 * results, other shortcodes, wrong amounts, a refused initiator (2001), a queue time-out and a
 * late result. Runs on PGlite and on PostgreSQL.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { query } from '../../src/db/open.ts';
import { newRef } from '../../src/payments/ref.ts';
import { handleStatusResult, startStatusCheck } from '../../src/payments/transaction-status/index.ts';
import { NO_FAULTS } from '../../src/sim/daraja/types.ts';
import { TEST_CALLBACK_SECRET } from '../helpers/app.ts';
import { freshPhone, type PaymentsHarness, startPaymentsApp, waitFor } from './helpers.ts';

const INITIATOR = { shortcode: '174379', name: 'testapi', password: 'Demo-initiator-1!' };
let h: PaymentsHarness;
let mac = 0;
const device = () => ({
  mac: `02:00:00:00:00:${(++mac).toString(16).padStart(2, '0')}`,
  ip: `10.9.0.${mac}`,
});

beforeAll(async () => {
  h = await startPaymentsApp({ sim: { initiators: [{ ...INITIATOR }] } });
  h.sim.merchants.push({ shortcode: '600999', passkey: 'other-shop', tills: [] });
}, 60_000);
afterAll(async () => {
  await h.stop();
});
beforeEach(() => {
  h.sim.faults = { ...NO_FAULTS, c2bDropRate: 1 };
  h.sim.initiators[0]!.password = INITIATOR.password;
});

/** A Paybill payment whose C2B confirmation never reached Wavu: only M-Pesa knows it. */
async function unseenPayment(amount: number, shortCode = '174379', phone = freshPhone()) {
  const before = new Set(h.sim.ledger.keys());
  const r = h.sim.c2bSimulate('x', {
    ShortCode: shortCode,
    CommandID: 'CustomerPayBillOnline',
    Amount: amount,
    Msisdn: phone,
    BillRefNumber: 'NOTHING',
  });
  expect(r.status).toBe(200);
  const receipt = [...h.sim.ledger.keys()].find((k) => !before.has(k))!;
  await h.sim.idle();
  return { receipt, phone };
}

const checkOf = async (receipt: string) =>
  (
    await query<{ state: string; result_code: string | null; purchase_id: string | null }>(
      h.app.deps.db,
      sql`SELECT state, result_code, purchase_id FROM status_checks WHERE receipt = ${receipt} ORDER BY created_at DESC LIMIT 1`,
    )
  )[0];
const finished = (receipt: string) =>
  waitFor(async () => {
    const c = await checkOf(receipt);
    return c && c.state !== 'pending' ? c : null;
  });
const creditsOf = async (receipt: string) =>
  Number(
    (
      await query<{ n: number }>(
        h.app.deps.db,
        sql`SELECT count(*)::int AS n FROM purchases p JOIN access_codes c ON c.purchase_id = p.id
            WHERE p.mpesa_receipt = ${receipt} AND p.status = 'paid'`,
      )
    )[0]!.n,
  );
const paidTotal = async () =>
  Number(
    (
      await query<{ n: number }>(
        h.app.deps.db,
        sql`SELECT count(*)::int AS n FROM purchases WHERE status = 'paid'`,
      )
    )[0]!.n,
  );

describe('Transaction Status', () => {
  it('a receipt Wavu never saw is checked and credited exactly once, even when the result comes twice', async () => {
    const { receipt, phone } = await unseenPayment(20);
    expect(await creditsOf(receipt)).toBe(0);
    h.sim.faults.duplicateRate = 1;
    const r = await startStatusCheck(h.app.deps, { receipt, ...device() });
    expect(r.state).toBe('checking');
    expect(await finished(receipt)).toMatchObject({ state: 'credited', result_code: '0' });
    await h.sim.idle();
    expect(
      h.sim.deliveries.filter((d) => d.kind === 'transaction_status' && d.status === 'sent').length,
    ).toBe(2);
    expect(await creditsOf(receipt)).toBe(1);
    const [p] = await query<{ phone: string; amount_kes: number }>(
      h.app.deps.db,
      sql`SELECT phone, amount_kes FROM purchases WHERE mpesa_receipt = ${receipt}`,
    );
    expect(p).toEqual({ phone, amount_kes: 20 });
    // Asking again: it is ours now, nothing is sent.
    expect((await startStatusCheck(h.app.deps, { receipt, ...device() })).state).toBe('already_claimed');
  });

  it('a racing STK callback for the same payment still credits once', async () => {
    // An STK payment whose callback was lost: the purchase is pending, M-Pesa has the receipt.
    h.sim.faults.dropRate = 1;
    const phone = freshPhone();
    const res = await fetch(`${h.url}/api/purchases`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ planId: 1, phone }),
    });
    const { id } = (await res.json()) as { id: string };
    const t = await waitFor(async () =>
      [...h.sim.txns.values()].find((x) => x.phone === phone && x.state === 'final'),
    );
    await h.sim.idle();
    h.sim.faults.dropRate = 0;
    const receipt = t.receipt!;
    const stkBody = {
      Body: {
        stkCallback: {
          MerchantRequestID: t.merchantRequestId,
          CheckoutRequestID: t.checkoutRequestId,
          ResultCode: 0,
          ResultDesc: 'The service request is processed successfully.',
          CallbackMetadata: {
            Item: [
              { Name: 'Amount', Value: t.amount },
              { Name: 'MpesaReceiptNumber', Value: receipt },
              { Name: 'TransactionDate', Value: 20260301120000 },
              { Name: 'PhoneNumber', Value: Number(phone) },
            ],
          },
        },
      },
    };
    const [check] = await Promise.all([
      startStatusCheck(h.app.deps, { receipt, ...device() }),
      fetch(`${h.url}/callbacks/stk/${TEST_CALLBACK_SECRET}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(stkBody),
      }),
    ]);
    if (check.state === 'checking') {
      const c = await finished(receipt);
      expect(['credited', 'already_claimed']).toContain(c.state);
    } else expect(check.state).toBe('already_claimed');
    await h.sim.idle();
    expect(await creditsOf(receipt)).toBe(1);
    const [row] = await query<{ status: string; mpesa_receipt: string }>(
      h.app.deps.db,
      sql`SELECT status, mpesa_receipt FROM purchases WHERE id = ${id}`,
    );
    expect(row).toEqual({ status: 'paid', mpesa_receipt: receipt });
  });

  it('forged results credit nothing: a wrong secret, or no check of ours', async () => {
    const { receipt, phone } = await unseenPayment(20);
    const before = await paidTotal();
    const forged = {
      Result: {
        ResultType: 0,
        ResultCode: 0,
        ResultDesc: 'The service request is processed successfully.',
        OriginatorConversationID: '1234-5678-9',
        ConversationID: 'AG_20260301_forged',
        TransactionID: 'UC00000000',
        ResultParameters: {
          ResultParameter: [
            { Key: 'ReceiptNo', Value: receipt },
            { Key: 'TransactionStatus', Value: 'Completed' },
            { Key: 'Amount', Value: 20 },
            { Key: 'CreditPartyName', Value: '174379 - WIFI SHOP' },
            { Key: 'DebitPartyName', Value: `${phone} - JOHN DOE` },
          ],
        },
      },
    };
    const http = await fetch(`${h.url}/callbacks/status/result/not-the-secret-at-all`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(forged),
    });
    expect(http.status).toBe(200);
    expect(await handleStatusResult(h.app.deps, { secret: 'nope', body: forged, timedOut: false })).toBe(
      'bad_secret',
    );
    // The right secret, but Wavu never asked about this receipt.
    expect(
      await handleStatusResult(h.app.deps, { secret: TEST_CALLBACK_SECRET, body: forged, timedOut: false }),
    ).toBe('unknown_check');
    expect(
      await handleStatusResult(h.app.deps, {
        secret: TEST_CALLBACK_SECRET,
        body: { junk: 1 },
        timedOut: false,
      }),
    ).toBe('malformed');
    expect(await creditsOf(receipt)).toBe(0);
    expect(await paidTotal()).toBe(before);
  });

  it('a payment to another shortcode, or of an amount no plan costs, credits nothing and says so', async () => {
    const before = await paidTotal();
    const other = await unseenPayment(20, '600999');
    await startStatusCheck(h.app.deps, { receipt: other.receipt, ...device() });
    expect((await finished(other.receipt)).state).toBe('not_ours');
    const odd = await unseenPayment(33);
    await startStatusCheck(h.app.deps, { receipt: odd.receipt, ...device() });
    expect((await finished(odd.receipt)).state).toBe('wrong_amount');
    expect(await paidTotal()).toBe(before);
    // Asked again: the answer stands, and nothing more is sent to M-Pesa.
    const sent = h.sim.deliveries.filter((d) => d.kind === 'transaction_status').length;
    expect((await startStatusCheck(h.app.deps, { receipt: odd.receipt, ...device() })).state).toBe(
      'not_ours',
    );
    expect(h.sim.deliveries.filter((d) => d.kind === 'transaction_status').length).toBe(sent);
  });

  it('a refused initiator (2001), a queue time-out and a late result', async () => {
    const a = await unseenPayment(20);
    h.sim.initiators[0]!.password = 'changed-on-the-portal';
    await startStatusCheck(h.app.deps, { receipt: a.receipt, ...device() });
    expect(await finished(a.receipt)).toMatchObject({ state: 'failed', result_code: '2001' });
    h.sim.initiators[0]!.password = INITIATOR.password;

    const b = await unseenPayment(20);
    h.sim.faults.statusQueueTimeout = true;
    await startStatusCheck(h.app.deps, { receipt: b.receipt, ...device() });
    expect((await finished(b.receipt)).state).toBe('timed_out');
    h.sim.faults.statusQueueTimeout = false;
    expect(await creditsOf(b.receipt)).toBe(0);

    // Late: still pending while M-Pesa takes its time, credited when the answer comes.
    const c = await unseenPayment(50);
    h.sim.faults.statusResultDelayMs = 300;
    await startStatusCheck(h.app.deps, { receipt: c.receipt, ...device() });
    expect((await checkOf(c.receipt))!.state).toBe('pending');
    // A second ask while it is open does not send another query.
    expect((await startStatusCheck(h.app.deps, { receipt: c.receipt, ...device() })).state).toBe('checking');
    expect((await finished(c.receipt)).state).toBe('credited');
    expect(await creditsOf(c.receipt)).toBe(1);
  });

  it('a purchase credited by STK Query (no receipt) gets its receipt filled in, and no second credit', async () => {
    const { receipt, phone } = await unseenPayment(20);
    // What STK Query leaves behind: paid, a code, but no receipt.
    const plan = (
      await query<{ id: number }>(h.app.deps.db, sql`SELECT id FROM plans WHERE price_kes = 20`)
    )[0]!;
    const { creditPurchase } = await import('../../src/payments/credit.ts');
    const { randomUUID } = await import('node:crypto');
    const id = randomUUID();
    await h.app.deps.db.execute(
      sql`INSERT INTO purchases (id, ref, plan_id, phone, amount_kes, channel, purpose, status, created_at, updated_at)
          VALUES (${id}, ${newRef()}, ${plan.id}, ${phone}, 20, 'stk', 'access', 'pending', now(), now())`,
    );
    expect(
      (
        await creditPurchase(h.app.deps, {
          purchaseId: id,
          receipt: null,
          paidAmountKes: 20,
          source: 'stk_query',
        })
      ).outcome,
    ).toBe('credited');
    const before = await paidTotal();
    await startStatusCheck(h.app.deps, { receipt, ...device() });
    expect((await finished(receipt)).state).toBe('already_claimed');
    const [row] = await query<{ mpesa_receipt: string }>(
      h.app.deps.db,
      sql`SELECT mpesa_receipt FROM purchases WHERE id = ${id}`,
    );
    expect(row!.mpesa_receipt).toBe(receipt);
    expect(await paidTotal()).toBe(before);
    expect(await creditsOf(receipt)).toBe(1);
  });

  it('the portal\'s "Already paid?" says it is checking, then lets the device on', async () => {
    const { receipt } = await unseenPayment(20);
    const form = new URLSearchParams({
      mac: '02:aa:bb:cc:dd:01',
      ip: '10.5.50.30',
      'link-login-only': 'http://10.5.50.1/login',
      receipt,
    }).toString();
    const press = () =>
      fetch(`${h.url}/portal/recover`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: form,
      });
    const first = await press();
    expect(first.status).toBe(303);
    const checking = String(first.headers.get('location'));
    expect(checking).toContain('e=receipt_checking');
    const page = await (await fetch(`${h.url}${checking}`)).text();
    expect(page).toContain('We are checking this M-Pesa code with Safaricom');
    expect((await finished(receipt)).state).toBe('credited');
    const again = await press();
    expect(String(again.headers.get('location'))).toMatch(/^\/portal\/connect\?t=/);
  });

  it('is limited per device and per address', async () => {
    const d = device();
    const results: string[] = [];
    for (let i = 0; i < 6; i++) {
      const { receipt } = await unseenPayment(33);
      results.push((await startStatusCheck(h.app.deps, { receipt, ...d })).state);
    }
    expect(results.slice(0, 5)).toEqual(Array(5).fill('checking'));
    expect(results[5]).toBe('too_many');
  });
});
