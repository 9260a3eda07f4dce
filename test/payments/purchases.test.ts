/**
 * Purchases end to end against the Daraja simulator over real HTTP: the documented callback
 * payloads, every failure code, duplicates, wrong order, lost callbacks, late success, forgeries,
 * concurrency, C2B. Runs on PGlite and on PostgreSQL (WAVU_TEST_DB=postgres).
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { query } from '../../src/db/open.ts';
import { purchaseEventsFor } from '../../src/payments/events.ts';
import { getPurchase } from '../../src/payments/get-purchase.ts';
import { reconcilePayments } from '../../src/payments/reconcile.ts';
import { REASONS, RESULT_CODES } from '../../src/payments/result-codes.ts';
import { settleUnpaid } from '../../src/payments/settle.ts';
import { startPurchase } from '../../src/payments/start-purchase.ts';
import { sweepInbox } from '../../src/payments/stk-callback.ts';
import { canTransition, TRANSITIONS } from '../../src/payments/status.ts';
import { NO_FAULTS } from '../../src/sim/daraja/types.ts';
import { TEST_CALLBACK_SECRET } from '../helpers/app.ts';
import {
  codesFor,
  freshPhone,
  type PaymentsHarness,
  purchaseRow,
  startPaymentsApp,
  waitFor,
} from './helpers.ts';

let h: PaymentsHarness;
beforeAll(async () => {
  h = await startPaymentsApp();
});
afterAll(async () => {
  await h.stop();
});
beforeEach(() => {
  h.sim.faults = { ...NO_FAULTS };
  h.sim.defaultPlan = { kind: 'result', code: 0 };
});

const api = (method: 'GET' | 'POST', url: string, payload?: unknown) =>
  h.app.server!.inject({ method, url, payload: payload as any });

async function buy(phone: string, planId = 1, extra: Record<string, unknown> = {}) {
  const r = await api('POST', '/api/purchases', { planId, phone, ...extra });
  expect(r.statusCode, r.body).toBe(201);
  return r.json() as { id: string; status: string };
}

async function settled(id: string) {
  return waitFor(async () => {
    const p = await purchaseRow(h, id);
    return p.status !== 'pending' ? p : null;
  });
}

const callback = (body: unknown, secret = TEST_CALLBACK_SECRET) =>
  api('POST', `/callbacks/stk/${secret}`, body);

/** Wait until the simulator has the push, then stop its own callback so the test sends them. */
function txnOf(checkout: string) {
  const t = h.sim.txns.get(checkout);
  if (!t) throw new Error('no such txn');
  return t;
}

async function manualPurchase(phone = freshPhone(), planId = 1) {
  h.sim.defaultPlan = { kind: 'manual' };
  const { id } = await buy(phone, planId);
  const p = await purchaseRow(h, id);
  return { id, p, txn: txnOf(p.checkout_request_id) };
}

/** Finish the prompt in the simulator without its callback; return the documented callback body. */
function finishSilently(checkout: string, code: number): any {
  h.sim.resolve(checkout, code, false);
  return h.sim.stkCallbackBody(txnOf(checkout));
}

describe('state machine', () => {
  it('is declared once: paid is final, late success allowed, no other moves', () => {
    expect(TRANSITIONS.paid).toEqual([]);
    for (const s of ['failed', 'cancelled', 'expired'] as const) {
      expect(canTransition(s, 'paid')).toBe(true);
      expect(canTransition(s, 'pending')).toBe(false);
    }
    expect(canTransition('failed', 'expired')).toBe(false);
    expect(canTransition('pending', 'cancelled')).toBe(true);
  });

  it('has a plain-language reason in English and Kiswahili for every code', () => {
    for (const [code, r] of Object.entries(REASONS)) {
      expect(r.en.length, code).toBeGreaterThan(5);
      expect(r.sw.length, code).toBeGreaterThan(5);
      expect(r.sw).not.toBe(r.en);
    }
  });
});

describe('public API', () => {
  it('lists the plans on sale', async () => {
    const r = await api('GET', '/api/plans');
    expect(r.statusCode).toBe(200);
    const names = r.json().plans.map((p: any) => `${p.name}:${p.priceKes}`);
    expect(names).toEqual(['1 Hour:20', '3 Hours:50', '6 Hours:100', '24 Hours:300']);
  });

  it('refuses a bad phone, an unknown plan and an unknown purchase with plain messages', async () => {
    const bad = await api('POST', '/api/purchases', { planId: 1, phone: '0812 345 678' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toMatch(/Safaricom number/);
    const plan = await api('POST', '/api/purchases', { planId: 999, phone: freshPhone() });
    expect(plan.statusCode).toBe(404);
    const none = await api('GET', '/api/purchases/00000000-0000-4000-8000-000000000000');
    expect(none.statusCode).toBe(404);
    const junk = await api('GET', '/api/purchases/not-a-uuid');
    expect(junk.statusCode).toBe(404);
  });
});

describe('STK purchase', () => {
  it('success: push → documented callback → paid with one code, SMS queued, receipt stored', async () => {
    const phone = freshPhone();
    const { id, status } = await buy(phone, 2, { mac: 'aa-bb-cc-dd-ee-01', ip: '10.5.50.7' });
    expect(status).toBe('pending');
    const r = await api('GET', `/api/purchases/${id}?wait=10`);
    const v = r.json();
    expect(v.status).toBe('paid');
    expect(v.code).toMatch(/^[A-Z0-9]{10}$/);
    expect(v.reason).toMatch(/Paid/);
    expect(v.phone).toMatch(/^07\d\d\*\*\*\d{3}$/);
    expect(v.plan).toMatchObject({ name: '3 Hours', priceKes: 50 });
    const p = await purchaseRow(h, id);
    expect(p.mpesa_receipt).toMatch(/^[A-Z0-9]{10}$/);
    expect(p.paid_amount_kes).toBe(50);
    expect(p.mac).toBe('AA:BB:CC:DD:EE:01');
    expect(await codesFor(h, id)).toBe(1);
    const sms = await query<{ to_phone: string; body: string; body_sealed: string }>(
      h.app.deps.db,
      sql`SELECT to_phone, body, body_sealed FROM sms_messages WHERE purchase_id = ${id}`,
    );
    expect(sms).toHaveLength(1);
    expect(sms[0]!.to_phone).toBe(phone);
    // Sent with the code and the receipt; at rest the code is sealed and shown masked.
    expect(h.app.deps.sealer.unseal(sms[0]!.body_sealed)).toContain(v.code);
    expect(sms[0]!.body).not.toContain(v.code);
    expect(sms[0]!.body).toContain(p.mpesa_receipt);
    const inbox = await query<{ outcome: string }>(
      h.app.deps.db,
      sql`SELECT outcome FROM callback_inbox WHERE purchase_id = ${id}`,
    );
    expect(inbox.map((i) => i.outcome)).toEqual(['credited']);
    const sw = await api('GET', `/api/purchases/${id}?lang=sw`);
    expect(sw.json().reason).toMatch(/Umelipa/);
  });

  const failures: [string, string, string][] = [
    ['0001', 'failed', '1'],
    ['1032', 'cancelled', '1032'],
    ['1037', 'expired', '1037'],
    ['2001', 'failed', '2001'],
    ['1019', 'expired', '1019'],
    ['1025', 'failed', '1025'],
    ['9999', 'failed', '9999'],
    ['8006', 'failed', '8006'],
    ['0017', 'failed', '17'],
  ];
  for (const [suffix, status, code] of failures) {
    it(`failure ${code} → ${status} with a plain reason, no code issued`, async () => {
      const { id } = await buy(freshPhone(suffix));
      const p = await settled(id);
      expect(p.status).toBe(status);
      expect(p.result_code).toBe(code);
      expect(p.access_code_id).toBeNull();
      const v = await getPurchase(h.app.deps, id);
      expect(v.reason).toBe(RESULT_CODES[code]!.reason.en);
      expect(v.code).toBeNull();
      expect((await getPurchase(h.app.deps, id, { lang: 'sw' })).reason).toBe(RESULT_CODES[code]!.reason.sw);
    });
  }

  it('refuses a second push to the same phone while one is open, and explains why', async () => {
    const { id } = await manualPurchase();
    const p = await purchaseRow(h, id);
    const second = await api('POST', '/api/purchases', { planId: 2, phone: p.phone });
    expect(second.statusCode).toBe(409);
    expect(second.json().error.code).toBe('payment_in_progress');
    expect(second.json().error.message).toMatch(/already waiting/);
    h.sim.act(p.checkout_request_id, 'cancel');
    await settled(id);
  });

  it('rule 17: the same package again within 2 minutes is refused with a wait; another package is fine', async () => {
    const { id, p } = await manualPurchase();
    h.sim.act(p.checkout_request_id, 'cancel');
    await settled(id);
    const again = await api('POST', '/api/purchases', { planId: 1, phone: p.phone });
    expect(again.statusCode).toBe(429);
    expect(Number(again.headers['retry-after'])).toBeGreaterThan(0);
    expect(again.json().error.message).toMatch(/2 minutes/);
    h.sim.defaultPlan = { kind: 'result', code: 0 };
    const other = await buy(p.phone, 2);
    expect((await settled(other.id)).status).toBe('paid');
  });

  it('a push Daraja refuses fails at once with a reason (no prompt, no open purchase left)', async () => {
    const { id, status } = await buy(freshPhone('0500'));
    expect(status).toBe('failed');
    const p = await purchaseRow(h, id);
    expect(p.result_code).toBe('busy');
    expect((await getPurchase(h.app.deps, id)).reason).toMatch(/busy/);
  });
});

describe('callbacks', () => {
  it('duplicate callbacks credit once', async () => {
    const { id, txn } = await manualPurchase();
    const body = finishSilently(txn.checkoutRequestId, 0);
    for (let i = 0; i < 5; i++)
      expect((await callback(body)).json()).toEqual({ ResultCode: 0, ResultDesc: 'Accepted' });
    expect((await purchaseRow(h, id)).status).toBe('paid');
    expect(await codesFor(h, id)).toBe(1);
    const outcomes = await query<{ outcome: string }>(
      h.app.deps.db,
      sql`SELECT outcome FROM callback_inbox WHERE purchase_id = ${id} ORDER BY id`,
    );
    expect(outcomes.map((o) => o.outcome)).toEqual([
      'credited',
      'duplicate',
      'duplicate',
      'duplicate',
      'duplicate',
    ]);
  });

  it('the same success delivered many times at once credits exactly once (one code, one SMS)', async () => {
    const { id, txn } = await manualPurchase();
    const body = JSON.stringify(finishSilently(txn.checkoutRequestId, 0));
    const rs = await Promise.all(
      Array.from({ length: 25 }, () =>
        fetch(`${h.url}/callbacks/stk/${TEST_CALLBACK_SECRET}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
        }),
      ),
    );
    expect(rs.every((r) => r.status === 200)).toBe(true);
    expect(await codesFor(h, id)).toBe(1);
    const sms = await query<{ n: number }>(
      h.app.deps.db,
      sql`SELECT count(*)::int AS n FROM sms_messages WHERE purchase_id = ${id}`,
    );
    expect(Number(sms[0]!.n)).toBe(1);
    const outcomes = await query<{ outcome: string }>(
      h.app.deps.db,
      sql`SELECT outcome FROM callback_inbox WHERE purchase_id = ${id}`,
    );
    expect(outcomes.filter((o) => o.outcome === 'credited')).toHaveLength(1);
    expect(outcomes).toHaveLength(25);
  });

  it('wrong order: a stale failure after success leaves it paid; a success after failure still pays', async () => {
    const a = await manualPurchase();
    const ok = finishSilently(a.txn.checkoutRequestId, 0);
    const cancel = structuredClone(ok);
    cancel.Body.stkCallback.ResultCode = 1032;
    cancel.Body.stkCallback.ResultDesc = 'Request cancelled by user';
    delete cancel.Body.stkCallback.CallbackMetadata;
    await callback(ok);
    await callback(cancel);
    expect((await purchaseRow(h, a.id)).status).toBe('paid');

    const b = await manualPurchase();
    const ok2 = finishSilently(b.txn.checkoutRequestId, 0);
    const fail2 = structuredClone(ok2);
    fail2.Body.stkCallback.ResultCode = 1037;
    delete fail2.Body.stkCallback.CallbackMetadata;
    await callback(fail2);
    expect((await purchaseRow(h, b.id)).status).toBe('expired');
    await callback(ok2);
    const p = await purchaseRow(h, b.id);
    expect(p.status).toBe('paid');
    expect(p.expired_at).not.toBeNull(); // history kept
    expect(await codesFor(h, b.id)).toBe(1);
  });

  it('forged callbacks credit nothing: wrong secret, unknown id, wrong amount, wrong phone', async () => {
    const { id, txn } = await manualPurchase();
    const good = finishSilently(txn.checkoutRequestId, 0);

    const r1 = await callback(good, 'not-the-secret-at-all-xx');
    expect(r1.statusCode).toBe(200);
    const stored = await query<{ outcome: string; processed_at: unknown }>(
      h.app.deps.db,
      sql`SELECT outcome, processed_at FROM callback_inbox WHERE checkout_request_id = ${txn.checkoutRequestId}`,
    );
    expect(stored.map((s) => s.outcome)).toEqual(['bad_secret']);

    const wrongAmount = structuredClone(good);
    wrongAmount.Body.stkCallback.CallbackMetadata.Item[0].Value = 1;
    await callback(wrongAmount);
    const wrongPhone = structuredClone(good);
    wrongPhone.Body.stkCallback.CallbackMetadata.Item[4].Value = 254799999999;
    await callback(wrongPhone);
    const unknown = structuredClone(good);
    unknown.Body.stkCallback.CheckoutRequestID = 'ws_CO_01012026000000000700000000';
    unknown.Body.stkCallback.CallbackMetadata.Item[1].Value = 'UAA1FORGED';
    await callback(unknown);
    await callback({ hello: 'world' });

    expect((await purchaseRow(h, id)).status).toBe('pending');
    expect(await codesFor(h, id)).toBe(0);
    const outcomes = await query<{ outcome: string | null }>(
      h.app.deps.db,
      sql`SELECT outcome FROM callback_inbox WHERE purchase_id = ${id} ORDER BY id`,
    );
    expect(outcomes.map((o) => o.outcome)).toEqual(['amount_mismatch', 'phone_mismatch']);
    const un = await query<{ outcome: string | null; processed_at: unknown }>(
      h.app.deps.db,
      sql`SELECT outcome, processed_at FROM callback_inbox WHERE checkout_request_id = 'ws_CO_01012026000000000700000000'`,
    );
    expect(un[0]!.processed_at).toBeNull(); // kept for the sweep in case our push was still recording it
    h.clock.advance(3 * 60_000);
    await sweepInbox(h.app.deps);
    const un2 = await query<{ outcome: string }>(
      h.app.deps.db,
      sql`SELECT outcome FROM callback_inbox WHERE checkout_request_id = 'ws_CO_01012026000000000700000000'`,
    );
    expect(un2[0]!.outcome).toBe('unknown_checkout');
    // The genuine callback still works afterwards.
    await callback(good);
    expect((await purchaseRow(h, id)).status).toBe('paid');
    expect(await codesFor(h, id)).toBe(1);
  });

  it('an unknown result code stays pending and is asked about at once', async () => {
    const { id, txn } = await manualPurchase();
    const body = finishSilently(txn.checkoutRequestId, 1032);
    body.Body.stkCallback.ResultCode = 4321;
    await callback(body);
    const p = await purchaseRow(h, id);
    expect(p.status).toBe('pending');
    expect(new Date(p.next_check_at).getTime()).toBeLessThanOrEqual(h.clock.now().getTime());
    const r = await reconcilePayments(h.app.deps);
    expect(r.settled).toBeGreaterThanOrEqual(1);
    expect((await purchaseRow(h, id)).status).toBe('cancelled');
  });
});

describe('reconciliation', () => {
  it('a lost callback is resolved by STK Query', async () => {
    const { id } = await buy(freshPhone('0404'));
    await h.sim.flush();
    expect((await purchaseRow(h, id)).status).toBe('pending');
    h.clock.advance(21_000);
    const r = await reconcilePayments(h.app.deps);
    expect(r.credited).toBe(1);
    const p = await purchaseRow(h, id);
    expect(p.status).toBe('paid');
    expect(p.mpesa_receipt).toBeNull(); // the query carries none
    expect(await codesFor(h, id)).toBe(1);
  });

  it('still processing stays pending, then expires on time; a late success still pays', async () => {
    const { id, txn } = await manualPurchase();
    h.clock.advance(21_000);
    await reconcilePayments(h.app.deps);
    const p1 = await purchaseRow(h, id);
    expect(p1.status).toBe('pending');
    expect(p1.check_attempts).toBe(1);
    h.clock.advance(90_000);
    const r = await reconcilePayments(h.app.deps);
    expect(r.expired).toBe(1);
    const p2 = await purchaseRow(h, id);
    expect(p2.status).toBe('expired');
    expect(p2.result_code).toBe('timeout');
    expect((await getPurchase(h.app.deps, id)).reason).toMatch(/still get your code/);
    // The customer pays after all: money moved, so it counts.
    h.sim.act(txn.checkoutRequestId, 'pay');
    await h.sim.flush();
    const p3 = await settled(id);
    expect((await purchaseRow(h, id)).status).toBe('paid');
    expect(p3).toBeTruthy();
    expect(await codesFor(h, id)).toBe(1);
  });

  it('MPESA_QUERY_AT and MPESA_EXPIRE_AFTER set when a push is asked about and when it expires', async () => {
    const mpesa = h.app.deps.config.mpesa;
    const saved = { queryAtMs: mpesa.queryAtMs, expireAfterMs: mpesa.expireAfterMs };
    mpesa.queryAtMs = [2_000, 4_000];
    mpesa.expireAfterMs = 6_000;
    try {
      const { id, p } = await manualPurchase();
      const created = new Date(p.created_at).getTime();
      expect(new Date(p.next_check_at).getTime() - created).toBe(2_000);
      // (The clock also runs in real time, hence the ranges below.)
      h.clock.advance(2_100);
      await reconcilePayments(h.app.deps);
      const p1 = await purchaseRow(h, id);
      expect([p1.status, p1.check_attempts]).toEqual(['pending', 1]);
      // Asked again no sooner than 5 s later, which is past the 6 s expiry here.
      const next = new Date(p1.next_check_at).getTime() - created;
      expect(next >= 7_100 && next < 9_000, String(next)).toBe(true);
      h.clock.advance(5_000);
      const r = await reconcilePayments(h.app.deps);
      expect(r.expired).toBe(1);
      expect((await purchaseRow(h, id)).status).toBe('expired');
    } finally {
      Object.assign(mpesa, saved);
    }
  });

  it('an expired purchase is asked about again later and credited if Daraja says paid', async () => {
    const { id, txn } = await manualPurchase();
    h.clock.advance(EXPIRE());
    await reconcilePayments(h.app.deps);
    expect((await purchaseRow(h, id)).status).toBe('expired');
    h.sim.resolve(txn.checkoutRequestId, 0, false); // paid, callback lost
    h.clock.advance(6 * 60_000);
    const r = await reconcilePayments(h.app.deps);
    expect(r.credited).toBe(1);
    expect((await purchaseRow(h, id)).status).toBe('paid');
  });

  it('a query never overwrites paid (the sandbox query can say FAILED for a paid push)', async () => {
    const { id, txn } = await manualPurchase();
    await callback(finishSilently(txn.checkoutRequestId, 0));
    expect((await purchaseRow(h, id)).status).toBe('paid');
    for (const status of ['failed', 'cancelled', 'expired'] as const) {
      expect(
        await settleUnpaid(h.app.deps.db, h.app.deps, {
          purchaseId: id,
          status,
          resultCode: '1032',
          resultDesc: null,
        }),
      ).toBe(false);
    }
    expect((await purchaseRow(h, id)).status).toBe('paid');
  });

  it('HTTP 429 backs off every node; the backlog is queried after the wait', async () => {
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push((await manualPurchase()).id);
    h.sim.faults = { ...NO_FAULTS, queryLimit: { max: 1, windowMs: 60_000 } };
    h.clock.advance(21_000);
    const r1 = await reconcilePayments(h.app.deps);
    expect(r1.rateLimited).toBe(true);
    expect(r1.queried).toBe(2);
    const before = h.sim.stats.queries;
    const r2 = await reconcilePayments(h.app.deps);
    expect(r2.queried).toBe(0);
    expect(h.sim.stats.queries).toBe(before);
    h.sim.faults = { ...NO_FAULTS };
    for (const id of ids) {
      const t = txnOf((await purchaseRow(h, id)).checkout_request_id);
      h.sim.resolve(t.checkoutRequestId, 1032, false);
    }
    h.clock.advance(61_000);
    const r3 = await reconcilePayments(h.app.deps);
    expect(r3.settled).toBeGreaterThanOrEqual(3);
    for (const id of ids) expect((await purchaseRow(h, id)).status).toBe('cancelled');
  });
});

describe('long poll', () => {
  it('returns as soon as the purchase is paid', async () => {
    const { id, txn } = await manualPurchase();
    const waiting = api('GET', `/api/purchases/${id}?wait=20`);
    // Pay only once the request is parked waiting for a change (not after a guessed delay).
    const hub = purchaseEventsFor(h.app.deps.database)!;
    while (hub.waiting(id) === 0) await new Promise((r) => setImmediate(r));
    h.sim.act(txn.checkoutRequestId, 'pay');
    const v = (await waiting).json();
    expect(v.status).toBe('paid');
    expect(v.code).toBeTruthy();
  });
});

describe('C2B', () => {
  it('paying the Paybill by hand with the purchase ref credits it, and a later STK success is a double payment', async () => {
    const { id, p, txn } = await manualPurchase();
    await h.app.deps.daraja.c2bSimulate({
      amountKes: 20,
      phone: p.phone,
      billRefNumber: p.ref.toLowerCase(),
    });
    await h.sim.flush();
    const paid = await settled(id);
    expect(paid.status).toBe('paid');
    expect(paid.mpesa_receipt).toBeTruthy();
    h.sim.act(txn.checkoutRequestId, 'pay');
    await h.sim.flush();
    const outcomes = await query<{ kind: string; outcome: string }>(
      h.app.deps.db,
      sql`SELECT kind, outcome FROM callback_inbox WHERE purchase_id = ${id} ORDER BY id`,
    );
    expect(outcomes.map((o) => `${o.kind}:${o.outcome}`)).toEqual(['c2b_confirm:credited', 'stk:paid_twice']);
    expect(await codesFor(h, id)).toBe(1);
  });

  it('a payment with the phone as account buys the plan with that price and sends the code by SMS', async () => {
    const phone = freshPhone();
    await h.app.deps.daraja.c2bSimulate({ amountKes: 100, phone: '254712345678', billRefNumber: phone });
    await h.sim.flush();
    const row = await waitFor(
      async () =>
        (
          await query<Record<string, any>>(
            h.app.deps.db,
            sql`SELECT * FROM purchases WHERE phone = ${phone} AND channel = 'c2b'`,
          )
        )[0],
    );
    expect(row.status).toBe('paid');
    expect(row.amount_kes).toBe(100);
    const sms = await query<{ to_phone: string }>(
      h.app.deps.db,
      sql`SELECT to_phone FROM sms_messages WHERE purchase_id = ${row.id}`,
    );
    expect(sms.map((s) => s.to_phone)).toEqual([phone]);
  });

  it('an STK payment echoed as C2B (same receipt) is credited once, whichever arrives first', async () => {
    h.sim.faults = { ...NO_FAULTS, stkAlsoC2b: true };
    const { id } = await buy(freshPhone());
    await h.sim.flush();
    const p = await settled(id);
    expect(p.status).toBe('paid');
    const both = await waitFor(async () => {
      const r = await query<{ kind: string; outcome: string }>(
        h.app.deps.db,
        sql`SELECT kind, outcome FROM callback_inbox WHERE receipt = ${p.mpesa_receipt} AND processed_at IS NOT NULL ORDER BY kind`,
      );
      return r.length === 2 ? r : null;
    });
    expect(both.map((b) => b.kind)).toEqual(['c2b_confirm', 'stk']);
    expect(both.map((b) => b.outcome).sort()).toEqual(['credited', 'duplicate']);
    expect(await codesFor(h, id)).toBe(1);
    const all = await query<{ n: number }>(
      h.app.deps.db,
      sql`SELECT count(*)::int AS n FROM purchases WHERE mpesa_receipt = ${p.mpesa_receipt}`,
    );
    expect(Number(all[0]!.n)).toBe(1);
  });

  it('validation rejects an unknown account and a short amount; nothing is credited', async () => {
    await h.app.deps.daraja.c2bSimulate({ amountKes: 20, phone: '254712345678', billRefNumber: 'NOSUCHREF' });
    await h.app.deps.daraja.c2bSimulate({ amountKes: 7, phone: '254712345678', billRefNumber: '0712345000' });
    await h.sim.flush();
    const v = await query<{ outcome: string }>(
      h.app.deps.db,
      sql`SELECT outcome FROM callback_inbox WHERE kind = 'c2b_validate' ORDER BY id DESC LIMIT 2`,
    );
    expect(v.map((x) => x.outcome).sort()).toEqual(['rejected:C2B00012', 'rejected:C2B00013']);
  });
});

describe('voucher purchases', () => {
  it('sends the voucher code to the receiver by SMS', async () => {
    const buyer = freshPhone();
    const receiver = freshPhone();
    const { id } = await startPurchase(h.app.deps, {
      planId: 1,
      phone: buyer,
      purpose: 'voucher',
      recipientPhone: receiver,
    });
    const p = await settled(id);
    expect(p.status).toBe('paid');
    const sms = await query<{ to_phone: string; body_sealed: string }>(
      h.app.deps.db,
      sql`SELECT to_phone, body_sealed FROM sms_messages WHERE purchase_id = ${id}`,
    );
    expect(sms.map((s) => s.to_phone)).toEqual([receiver]);
    const v = await getPurchase(h.app.deps, id);
    expect(h.app.deps.sealer.unseal(sms[0]!.body_sealed)).toContain(v.code!);
  });
});

function EXPIRE() {
  return 111_000;
}
