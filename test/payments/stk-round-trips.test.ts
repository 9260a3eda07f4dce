/**
 * Round trips per STK callback, counted in the driver (Database.stats), as the RADIUS ones are in
 * test/radius/round-trips.test.ts: counts are stable where times are not, so a new statement or
 * transaction on the callback path fails here instead of showing up as a slower benchmark. Through
 * the real HTTP route (inject), with no worker running, so only the request is counted.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { query } from '../../src/db/open.ts';
import { ManualClock } from '../../src/lib/clock.ts';
import { darajaTimestamp } from '../../src/protocols/daraja/time.ts';
import { type App, createApp } from '../../src/app/run.ts';
import { silentLog, TEST_CALLBACK_SECRET, testConfig } from '../helpers/app.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';

let t: TestDatabase;
let app: App;
let routerId: number;
const clock = new ManualClock('2026-03-02T06:00:00Z');

beforeAll(async () => {
  // The serve role alone, and not demo (which registers the simulator's C2B URLs a moment after
  // start): nothing but the callbacks sends statements.
  t = await createTestDatabase();
  const config = testConfig();
  config.demo = false;
  app = await createApp({
    config,
    roles: ['serve'],
    log: silentLog(),
    clock,
    database: t.database,
    listen: false,
  });
  const [r] = await query<{ id: number }>(
    app.deps.db,
    sql`INSERT INTO routers (name, mode, host, username) VALUES ('rt-1', 'api', '127.0.0.1', 'admin') RETURNING id`,
  );
  routerId = r!.id;
});
afterAll(async () => {
  await app.stop();
  await t.drop();
});

let seq = 0;
/** A pending STK purchase as startPurchase leaves it: push answered, device and router known. */
async function pending() {
  const i = ++seq;
  const id = randomUUID();
  const phone = `2547${String(20_000_000 + i).slice(-8)}`;
  const checkout = `ws_CO_rt${String(i).padStart(8, '0')}`;
  const mac = `02:00:00:00:01:${i.toString(16).padStart(2, '0').toUpperCase()}`;
  await app.deps.db.execute(
    sql`INSERT INTO purchases (id, ref, plan_id, phone, amount_kes, channel, status, checkout_request_id, mac,
                               router_id, created_at, updated_at)
        VALUES (${id}, ${`RT${i}`}, 1, ${phone}, 20, 'stk', 'pending', ${checkout}, ${mac}, ${routerId},
                ${clock.now()}, ${clock.now()})`,
  );
  return { id, phone, checkout, receipt: `RTK${String(i).padStart(7, '0')}` };
}

const paidBody = (p: { phone: string; checkout: string; receipt: string }) =>
  JSON.stringify({
    Body: {
      stkCallback: {
        MerchantRequestID: 'rt-merchant',
        CheckoutRequestID: p.checkout,
        ResultCode: 0,
        ResultDesc: 'The service request is processed successfully.',
        CallbackMetadata: {
          Item: [
            { Name: 'Amount', Value: 20 },
            { Name: 'MpesaReceiptNumber', Value: p.receipt },
            { Name: 'TransactionDate', Value: Number(darajaTimestamp(clock.now())) },
            { Name: 'PhoneNumber', Value: Number(p.phone) },
          ],
        },
      },
    },
  });

const cancelledBody = (checkout: string) =>
  JSON.stringify({
    Body: {
      stkCallback: {
        MerchantRequestID: 'rt-merchant',
        CheckoutRequestID: checkout,
        ResultCode: 1032,
        ResultDesc: 'Request cancelled by user',
      },
    },
  });

/** What one callback sent to the database, and that Daraja got its answer. */
async function counted(body: string, secret = TEST_CALLBACK_SECRET) {
  const before = { ...t.database.stats };
  const res = await app.server!.inject({
    method: 'POST',
    url: `/callbacks/stk/${secret}`,
    payload: body,
    headers: { 'content-type': 'application/json' },
  });
  expect(res.statusCode).toBe(200);
  expect(res.json()).toEqual({ ResultCode: 0, ResultDesc: 'Accepted' });
  return [
    t.database.stats.statements - before.statements,
    t.database.stats.transactions - before.transactions,
  ];
}

const inboxOf = (checkout: string) =>
  query<{ outcome: string | null; processed: boolean; purchase_id: string | null }>(
    app.deps.db,
    sql`SELECT outcome, processed_at IS NOT NULL AS processed, purchase_id FROM callback_inbox
        WHERE checkout_request_id = ${checkout} ORDER BY id`,
  );

describe('STK callback round trips', () => {
  it('a first success is one transaction: stored, credited, code issued, grant and SMS queued', async () => {
    const warm = await pending();
    await counted(paidBody(warm));

    const p = await pending();
    expect(await counted(paidBody(p))).toEqual([5, 1]);
    const [row] = await query<{
      status: string;
      receipt: string;
      grants: number | string;
      sms: number | string;
    }>(
      app.deps.db,
      sql`SELECT p.status, p.mpesa_receipt AS receipt,
                 (SELECT count(*) FROM jobs j WHERE j.kind = 'gateway.grant'
                     AND j.payload->>'accessCodeId' = p.access_code_id::text) AS grants,
                 (SELECT count(*) FROM jobs j JOIN sms_messages s ON j.payload->>'smsId' = s.id::text
                   WHERE j.kind = 'sms.send' AND s.purchase_id = p.id) AS sms
            FROM purchases p WHERE p.id = ${p.id}`,
    );
    expect(row).toMatchObject({ status: 'paid', receipt: p.receipt });
    expect([Number(row!.grants), Number(row!.sms)]).toEqual([1, 1]);
    expect(await inboxOf(p.checkout)).toEqual([{ outcome: 'credited', processed: true, purchase_id: p.id }]);
  });

  it('the same success again is one transaction that credits nothing', async () => {
    const p = await pending();
    await counted(paidBody(p));
    expect(await counted(paidBody(p))).toEqual([3, 1]);
    expect((await inboxOf(p.checkout)).map((r) => r.outcome)).toEqual(['credited', 'duplicate']);
    const [n] = await query<{ codes: number | string }>(
      app.deps.db,
      sql`SELECT count(*) AS codes FROM access_codes WHERE purchase_id = ${p.id}`,
    );
    expect(Number(n!.codes)).toBe(1);
  });

  it('a failed payment is one transaction', async () => {
    const p = await pending();
    expect(await counted(cancelledBody(p.checkout))).toEqual([2, 1]);
    expect(await inboxOf(p.checkout)).toEqual([{ outcome: 'settled', processed: true, purchase_id: p.id }]);
    const [row] = await query<{ status: string }>(
      app.deps.db,
      sql`SELECT status FROM purchases WHERE id = ${p.id}`,
    );
    expect(row!.status).toBe('cancelled');
  });

  it('a wrong secret is stored in one statement and processed never', async () => {
    const p = await pending();
    expect(await counted(paidBody(p), 'not-the-secret')).toEqual([1, 0]);
    expect(await inboxOf(p.checkout)).toEqual([
      { outcome: 'bad_secret', processed: true, purchase_id: null },
    ]);
  });
});
