/**
 * The callback inbox under hostile bodies: every stored row reaches a final outcome, nothing that
 * cannot be a callback waits in the sweep's way, and any body at all is stored and answered the
 * way Daraja expects (never an error page). HTTP through the real server, jobs by `drain()`.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { App } from '../../src/app/run.ts';
import { query } from '../../src/db/open.ts';
import { ManualClock } from '../../src/lib/clock.ts';
import { readCallbackBody } from '../../src/payments/callback-body.ts';
import { storeCallback } from '../../src/payments/inbox.ts';
import { startDrainedApp, TEST_CALLBACK_SECRET } from '../helpers/app.ts';
import type { TestDatabase } from '../helpers/db.ts';

let t: TestDatabase;
let app: App;
const clock = new ManualClock('2026-03-02T06:00:00Z');

beforeAll(async () => {
  ({ t, app } = await startDrainedApp(clock));
});
afterAll(async () => {
  await app.stop();
  await t.drop();
});
beforeEach(() => {
  // A new slot for the recurring inbox sweep, so each test's drain runs it.
  clock.advance(60_000);
});

const STK_ACK = { ResultCode: 0, ResultDesc: 'Accepted' };
const CONFIRM_ACK = { ResultCode: 0, ResultDesc: 'Success' };
const OTHER_ERROR = { ResultCode: 'C2B00016', ResultDesc: 'Rejected' };

const post = (path: string, payload: string, contentType = 'application/json') =>
  app.server!.inject({
    method: 'POST',
    url: `/callbacks/${path}/${TEST_CALLBACK_SECRET}`,
    payload,
    headers: { 'content-type': contentType },
  });

interface Row {
  id: number;
  kind: string;
  outcome: string | null;
  processed_at: unknown;
  body_text: string | null;
  has_json: boolean;
  checkout_request_id: string | null;
}
const rowsSince = (id: number) =>
  query<Row>(
    app.deps.db,
    sql`SELECT id, kind, outcome, processed_at, body_text, body IS NOT NULL AS has_json, checkout_request_id
        FROM callback_inbox WHERE id > ${id} ORDER BY id`,
  );
const lastId = async () =>
  Number(
    (await query<{ id: number | null }>(app.deps.db, sql`SELECT max(id) AS id FROM callback_inbox`))[0]!.id ??
      0,
  );

let phoneSeq = 0;
/** An STK purchase whose push is still recording its CheckoutRequestID (it has none yet). */
async function pendingPush(): Promise<{ id: string; phone: string }> {
  const id = randomUUID();
  phoneSeq++;
  const phone = `2547${String(12_000_000 + phoneSeq)}`;
  await app.deps.db.execute(
    sql`INSERT INTO purchases (id, ref, plan_id, phone, amount_kes, channel, created_at, updated_at)
        VALUES (${id}, ${`R${id.slice(0, 7).toUpperCase()}`}, 1, ${phone}, 20, 'stk', ${clock.now()}, ${clock.now()})`,
  );
  return { id, phone };
}

const cancelled = (checkout: string) =>
  JSON.stringify({
    Body: {
      stkCallback: {
        MerchantRequestID: '29115-34620561-1',
        CheckoutRequestID: checkout,
        ResultCode: 1032,
        ResultDesc: 'Request cancelled by user',
      },
    },
  });

/**
 * A real callback that has to wait for the sweep: the customer cancelled so fast that our push had
 * not recorded its CheckoutRequestID yet. Returns once the push has recorded it.
 */
async function earlyCancellation(): Promise<{ purchaseId: string; inboxId: number }> {
  const p = await pendingPush();
  const checkout = `ws_CO_${randomBytes(8).toString('hex')}`;
  const before = await lastId();
  const r = await post('stk', cancelled(checkout));
  expect(r.json()).toEqual(STK_ACK);
  const [row] = await rowsSince(before);
  expect(row!.processed_at).toBeNull(); // waiting: nobody knew that CheckoutRequestID yet
  await app.deps.db.execute(sql`UPDATE purchases SET checkout_request_id = ${checkout} WHERE id = ${p.id}`);
  return { purchaseId: p.id, inboxId: row!.id };
}

async function settledBy(inboxId: number, purchaseId: string) {
  const [inbox] = await query<{ outcome: string | null }>(
    app.deps.db,
    sql`SELECT outcome FROM callback_inbox WHERE id = ${inboxId}`,
  );
  const [p] = await query<{ status: string }>(
    app.deps.db,
    sql`SELECT status FROM purchases WHERE id = ${purchaseId}`,
  );
  return { inbox: inbox!.outcome, purchase: p!.status };
}

describe('every stored callback reaches a final outcome', () => {
  it('105 bare JSON strings end malformed at once; a real callback behind them is processed by the next drain', async () => {
    const before = await lastId();
    for (let i = 0; i < 105; i++) {
      const r = await post('stk', '"hello"');
      expect(r.statusCode).toBe(200);
      expect(r.json()).toEqual(STK_ACK);
    }
    const junk = await rowsSince(before);
    expect(junk).toHaveLength(105);
    expect(junk.every((r) => r.outcome === 'malformed' && r.processed_at !== null)).toBe(true);

    const real = await earlyCancellation();
    await app.worker!.drain();
    expect(await settledBy(real.inboxId, real.purchaseId)).toEqual({
      inbox: 'settled',
      purchase: 'cancelled',
    });
  });

  it('rows an earlier version left waiting (a bare JSON string) are finished as malformed by the sweep', async () => {
    const before = await lastId();
    for (const kind of ['stk', 'c2b_confirm'] as const)
      for (let i = 0; i < 60; i++)
        await app.deps.db.execute(
          sql`INSERT INTO callback_inbox (kind, received_at, body) VALUES (${kind}, ${clock.now()}, '"hello"'::jsonb)`,
        );
    const real = await earlyCancellation();
    await app.worker!.drain();
    const rows = (await rowsSince(before)).filter((r) => r.id !== real.inboxId);
    expect(rows).toHaveLength(120);
    expect(rows.every((r) => r.outcome === 'malformed' && r.processed_at !== null)).toBe(true);
    expect((await settledBy(real.inboxId, real.purchaseId)).inbox).toBe('settled');
  });

  it('a backlog still waiting for its purchases does not hold back the callbacks behind it', async () => {
    const before = await lastId();
    // Stored, then the process died before processing them (or our pushes are still recording).
    for (let i = 0; i < 150; i++) {
      await storeCallback(app.deps.db, app.deps, {
        kind: 'stk',
        body: readCallbackBody(cancelled(`ws_CO_waiting_${i}`)),
        remoteAddr: null,
        checkoutRequestId: `ws_CO_waiting_${i}`,
        outcome: null,
      });
    }
    const real = await earlyCancellation();
    await app.worker!.drain();
    expect(await settledBy(real.inboxId, real.purchaseId)).toEqual({
      inbox: 'settled',
      purchase: 'cancelled',
    });
    // The backlog itself ends too, once nobody can still be recording those ids.
    clock.advance(3 * 60_000);
    await app.worker!.drain();
    const backlog = (await rowsSince(before)).filter((r) => r.id !== real.inboxId);
    expect(backlog).toHaveLength(150);
    expect(backlog.every((r) => r.outcome === 'unknown_checkout')).toBe(true);
  });

  it('a confirmation with an amount no M-Pesa payment can have ends malformed', async () => {
    const before = await lastId();
    const r = await post(
      'c2b/confirm',
      JSON.stringify({ TransID: 'UAB1HUGE01', TransAmount: '99999999999', BillRefNumber: '0712345678' }),
    );
    expect(r.json()).toEqual(CONFIRM_ACK);
    const [row] = await rowsSince(before);
    expect(row).toMatchObject({ outcome: 'malformed', has_json: true });
  });
});

describe('any body is stored and answered the Daraja way', () => {
  const deep = `${'['.repeat(5_000)}${']'.repeat(5_000)}`;
  const unstorable: Record<string, string> = {
    'a \\u0000 escape':
      '{"Body":{"stkCallback":{"CheckoutRequestID":"ws_CO_1","ResultCode":0,"ResultDesc":"a\\u0000b"}}}',
    'a lone surrogate': '{"TransID":"UAB1LONE01","TransAmount":"20","FirstName":"\\ud800"}',
    'deep nesting': deep,
    'invalid JSON': '{"Body":',
    'not JSON at all': 'hello',
  };
  const routes = [
    { path: 'stk', answer: STK_ACK, outcome: 'malformed' },
    { path: 'c2b/confirm', answer: CONFIRM_ACK, outcome: 'malformed' },
    { path: 'c2b/validate', answer: OTHER_ERROR, outcome: 'rejected:C2B00016' },
  ];

  for (const route of routes) {
    it(`${route.path}: bodies jsonb cannot hold, or that are not JSON, are kept as text`, async () => {
      for (const [what, body] of Object.entries(unstorable)) {
        const before = await lastId();
        const r = await post(route.path, body);
        expect(r.statusCode, what).toBe(200);
        expect(r.json(), what).toEqual(route.answer);
        const rows = await rowsSince(before);
        expect(rows, what).toHaveLength(1);
        expect(rows[0], what).toMatchObject({ has_json: false, body_text: body, outcome: route.outcome });
      }
    });
  }

  it('other content types and an empty body are stored too', async () => {
    const before = await lastId();
    expect((await post('stk', 'a=1&b=2', 'application/x-www-form-urlencoded')).json()).toEqual(STK_ACK);
    expect((await post('c2b/confirm', '<xml/>', 'text/xml')).json()).toEqual(CONFIRM_ACK);
    const empty = await app.server!.inject({
      method: 'POST',
      url: `/callbacks/c2b/validate/${TEST_CALLBACK_SECRET}`,
    });
    expect(empty.statusCode).toBe(200);
    expect(empty.json()).toEqual(OTHER_ERROR);
    const rows = await rowsSince(before);
    expect(rows.map((r) => [r.kind, r.body_text, r.outcome])).toEqual([
      ['stk', 'a=1&b=2', 'malformed'],
      ['c2b_confirm', '<xml/>', 'malformed'],
      ['c2b_validate', '', 'rejected:C2B00016'],
    ]);
  });

  it('a literal NUL byte is kept as its escape (a text column cannot hold it)', async () => {
    const before = await lastId();
    expect((await post('stk', 'ab\u0000cd')).json()).toEqual(STK_ACK);
    const [row] = await rowsSince(before);
    expect(row!.body_text).toBe('ab\\u0000cd');
  });

  it('a CheckoutRequestID far too long to index is stored, as malformed', async () => {
    const before = await lastId();
    const body = cancelled(`ws_CO_${randomBytes(30_000).toString('hex')}`);
    expect((await post('stk', body)).json()).toEqual(STK_ACK);
    const [row] = await rowsSince(before);
    expect(row).toMatchObject({ outcome: 'malformed', has_json: true, checkout_request_id: null });
  });

  it('c2b/validate refuses nested values and impossible amounts with a Daraja answer, not an error', async () => {
    const nested = await post(
      'c2b/validate',
      JSON.stringify({
        TransID: 'UAB1NEST01',
        TransAmount: { toString: 1 },
        BillRefNumber: { a: [1, { b: 2 }] },
      }),
    );
    expect(nested.statusCode).toBe(200);
    expect(nested.json()).toEqual(OTHER_ERROR);
    const huge = await post(
      'c2b/validate',
      JSON.stringify({ TransID: 'UAB1HUGE02', TransAmount: '99999999999', BillRefNumber: '0712345678' }),
    );
    expect(huge.statusCode).toBe(200);
    expect(huge.json()).toEqual({ ResultCode: 'C2B00013', ResultDesc: 'Rejected' });
    const list = await post('c2b/validate', '[{"TransID":"UAB1LIST01"}]');
    expect(list.json()).toEqual(OTHER_ERROR);
  });
});
