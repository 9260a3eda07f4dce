/**
 * The one cash sale (both admin endpoints) and the one guarded `markPaid`: a repeated or
 * concurrent request sells once, and a request naming a purchase it did not make never pays it.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDeps } from '../../src/app/create-deps.ts';
import { staffActor } from '../../src/audit/index.ts';
import { query } from '../../src/db/open.ts';
import { markPaid } from '../../src/payments/mark-paid.ts';
import { recordCashSale } from '../../src/payments/record-cash-sale.ts';
import { type AdminHarness, adminHarness, inject, makeUser, sessionFor } from '../admin/helpers.ts';
import { silentLog } from '../helpers/app.ts';
import { onPostgres } from '../helpers/db.ts';

let h: AdminHarness;
let cashier: { cookie: string; csrf: string };
let till: { id: number; username: string };

const db = () => h.app.deps.db;
const rows = <T = Record<string, any>>(q: ReturnType<typeof sql>) => query<T>(db(), q);
const count = async (q: ReturnType<typeof sql>) => Number((await rows<{ n: number }>(q))[0]!.n);

/** A purchase made by M-Pesa, in the given status (with its code when paid). */
async function mpesaPurchase(status: 'pending' | 'paid' | 'failed') {
  const id = randomUUID();
  const now = h.clock.now();
  let codeId: string | null = null;
  if (status === 'paid') {
    codeId = randomUUID();
    await db().execute(
      sql`INSERT INTO access_codes (id, code_hash, code_sealed, plan_id, kind, purchase_id, devices, clock, duration_seconds, issued_at, updated_at)
          VALUES (${codeId}, ${`h-${codeId}`}, 'x', 1, 'purchase', ${id}, 1, 'wall', 3600, ${now}, ${now})`,
    );
  }
  await db().execute(
    sql`INSERT INTO purchases (id, ref, plan_id, phone, amount_kes, channel, status, access_code_id, created_at,
                               updated_at, paid_at, paid_amount_kes, failed_at)
        VALUES (${id}, ${`R${id.slice(0, 8)}`}, 1, '254712000009', 20, 'stk', ${status}, ${codeId}, ${now}, ${now},
                ${status === 'paid' ? now : null}, ${status === 'paid' ? 20 : null},
                ${status === 'failed' ? now : null})`,
  );
  return id;
}

beforeAll(async () => {
  h = await adminHarness();
  const u = await makeUser(h, 'till', 'cashier');
  till = { id: u.id, username: u.username };
  cashier = await sessionFor(h, u.id);
});
afterAll(() => h.stop());

describe('one cash sale', () => {
  it('the same request id twice sells once: same code, one purchase, one audit row, one SMS', async () => {
    const requestId = randomUUID();
    const body = { requestId, planId: 2, phone: '0744 000 002' };
    const first = await inject(h, cashier, 'POST', '/api/admin/vouchers/sell-cash', body);
    const again = await inject(h, cashier, 'POST', '/api/admin/vouchers/sell-cash', body);
    expect([first.statusCode, again.statusCode]).toEqual([201, 200]);
    expect(again.json()).toMatchObject({ code: first.json().code, repeated: true, purchaseId: requestId });
    // The purchases screen's endpoint is the same sale: the id is already used, so it is a repeat too.
    const third = await inject(h, cashier, 'POST', '/api/admin/purchases/cash', {
      ...body,
      purpose: 'voucher',
    });
    expect(third.statusCode).toBe(200);
    expect(third.json().code).toBe(first.json().code);
    expect(await count(sql`SELECT count(*)::int AS n FROM purchases WHERE id = ${requestId}`)).toBe(1);
    expect(
      await count(sql`SELECT count(*)::int AS n FROM access_codes WHERE purchase_id = ${requestId}`),
    ).toBe(1);
    expect(await count(sql`SELECT count(*)::int AS n FROM audit_log WHERE entity_id = ${requestId}`)).toBe(1);
    const sms = await rows(sql`SELECT to_phone FROM sms_messages WHERE purchase_id = ${requestId}`);
    expect(sms).toEqual([{ to_phone: '254744000002' }]);
    const [p] = await rows(
      sql`SELECT status, channel, paid_amount_kes FROM purchases WHERE id = ${requestId}`,
    );
    expect(p).toMatchObject({ status: 'paid', channel: 'cash', paid_amount_kes: 50 });
  });

  it(`concurrent duplicates sell once${onPostgres() ? ' (two pools, PostgreSQL)' : ''}`, async () => {
    const deps = h.app.deps;
    const other = onPostgres()
      ? createDeps({
          config: deps.config,
          database: await h.t.openAnother(),
          clock: h.clock,
          log: silentLog(),
        })
      : deps;
    const requestId = randomUUID();
    const input = {
      requestId,
      planId: 3,
      phone: '254744000003',
      purpose: 'voucher' as const,
      sendSms: true,
      actor: staffActor(till),
    };
    const sales = await Promise.all(
      Array.from({ length: 8 }, (_, i) => recordCashSale(i % 2 ? other : deps, input)),
    );
    expect(new Set(sales.map((s) => s.code)).size).toBe(1);
    expect(sales.filter((s) => !s.repeated)).toHaveLength(1);
    expect(
      await count(sql`SELECT count(*)::int AS n FROM access_codes WHERE purchase_id = ${requestId}`),
    ).toBe(1);
    expect(await count(sql`SELECT count(*)::int AS n FROM audit_log WHERE entity_id = ${requestId}`)).toBe(1);
    expect(
      await count(sql`SELECT count(*)::int AS n FROM sms_messages WHERE purchase_id = ${requestId}`),
    ).toBe(1);
  });

  it('refuses, with a 409 and nothing written, to sell onto a purchase it did not make', async () => {
    const codesBefore = await count(sql`SELECT count(*)::int AS n FROM access_codes`);
    const auditBefore = await count(sql`SELECT count(*)::int AS n FROM audit_log`);
    const paid = await mpesaPurchase('paid');
    const r = await inject(h, cashier, 'POST', '/api/admin/vouchers/sell-cash', {
      requestId: paid,
      planId: 1,
    });
    expect(r.statusCode).toBe(409);
    expect(r.json().error).toEqual({
      code: 'conflict',
      message: 'That purchase is already paid; nothing was sold.',
    });

    // A pending M-Pesa purchase may still become paid by M-Pesa, never by this cash request.
    const pending = await mpesaPurchase('pending');
    const r2 = await inject(h, cashier, 'POST', '/api/admin/purchases/cash', {
      requestId: pending,
      planId: 1,
    });
    expect(r2.statusCode).toBe(409);
    expect(r2.json().error.message).toContain('belongs to another purchase');
    expect((await rows(sql`SELECT status FROM purchases WHERE id = ${pending}`))[0]).toEqual({
      status: 'pending',
    });
    expect(await count(sql`SELECT count(*)::int AS n FROM access_codes`)).toBe(codesBefore + 1); // the seeded one
    expect(await count(sql`SELECT count(*)::int AS n FROM audit_log`)).toBe(auditBefore);
  });
});

describe('markPaid', () => {
  it('moves only a status the transition table lets become paid, and never a paid one twice', async () => {
    const deps = h.app.deps;
    const paid = await mpesaPurchase('paid');
    const [before] = await rows(sql`SELECT paid_at, access_code_id FROM purchases WHERE id = ${paid}`);
    h.clock.advance(60_000);
    const other = randomUUID();
    expect(
      await deps.db.transaction((tx) =>
        markPaid(tx, deps, paid, { accessCodeId: other, paidAmountKes: 999 }),
      ),
    ).toBe(false);
    const [after] = await rows(
      sql`SELECT paid_at, access_code_id, paid_amount_kes FROM purchases WHERE id = ${paid}`,
    );
    expect(after).toEqual({ ...before, paid_amount_kes: 20 });

    // A late success after a failure still counts (money moved): failed → paid is allowed.
    const failed = await mpesaPurchase('failed');
    const codeId = randomUUID();
    const now = h.clock.now();
    await db().execute(
      sql`INSERT INTO access_codes (id, code_hash, code_sealed, plan_id, kind, purchase_id, devices, clock, duration_seconds, issued_at, updated_at)
          VALUES (${codeId}, ${`h-${codeId}`}, 'x', 1, 'purchase', ${failed}, 1, 'wall', 3600, ${now}, ${now})`,
    );
    expect(
      await deps.db.transaction((tx) =>
        markPaid(tx, deps, failed, {
          accessCodeId: codeId,
          paidAmountKes: 20,
          receipt: 'TLATE00001',
          result: { code: '0', desc: 'ok' },
        }),
      ),
    ).toBe(true);
    const [p] = await rows(
      sql`SELECT status, mpesa_receipt, result_code, access_code_id FROM purchases WHERE id = ${failed}`,
    );
    expect(p).toEqual({
      status: 'paid',
      mpesa_receipt: 'TLATE00001',
      result_code: '0',
      access_code_id: codeId,
    });
  });
});
