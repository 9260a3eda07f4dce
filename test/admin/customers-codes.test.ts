/** Customers are every phone sold to (not only cash buyers); codes are shown, masked by role. */
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashCode } from '../../src/access/codes.ts';
import { query } from '../../src/db/open.ts';
import { type AdminHarness, adminHarness, inject, makeUser, sessionFor } from './helpers.ts';

let h: AdminHarness;
let owner: { cookie: string; csrf: string };
let viewer: { cookie: string; csrf: string };
let cashier: { cookie: string; csrf: string };

/** A paid M-Pesa (STK) purchase with its code, as the payment flow leaves it. */
async function mpesaSale(phone: string, code: string, at: string, amount = 50) {
  const db = h.app.deps.db;
  const id = randomUUID();
  const codeId = randomUUID();
  await query(
    db,
    sql`INSERT INTO access_codes (id, code_hash, code_sealed, plan_id, kind, purchase_id, devices, clock, duration_seconds, phone, issued_at, updated_at)
        VALUES (${codeId}, ${hashCode(h.app.deps.sealer, code)}, ${h.app.deps.sealer.seal(code)}, 2, 'purchase', ${id}, 1, 'wall', 10800, ${phone}, ${at}, ${at})`,
  );
  await query(
    db,
    sql`INSERT INTO purchases (id, ref, plan_id, phone, amount_kes, channel, status, mpesa_receipt, access_code_id, created_at, updated_at, paid_at)
        VALUES (${id}, ${`R${id.slice(0, 8)}`}, 2, ${phone}, ${amount}, 'stk', 'paid', ${`SK${id.slice(0, 8)}`}, ${codeId}, ${at}, ${at}, ${at})`,
  );
  return { id, codeId };
}

beforeAll(async () => {
  h = await adminHarness();
  owner = await sessionFor(h, (await makeUser(h, 'boss', 'owner')).id);
  viewer = await sessionFor(h, (await makeUser(h, 'look', 'viewer')).id);
  cashier = await sessionFor(h, (await makeUser(h, 'till', 'cashier')).id);
});
afterAll(() => h.stop());

describe('customers', () => {
  it('lists every M-Pesa buyer with purchases, codes, spend and last seen; pages and searches', async () => {
    const a = await mpesaSale('254711000001', 'ACDEFGHJK1', '2026-03-01T08:00:00Z');
    await mpesaSale('254711000001', 'ACDEFGHJK2', '2026-03-01T10:00:00Z', 100);
    await mpesaSale('254722000002', 'ACDEFGHJK3', '2026-03-01T09:00:00Z');
    // A failed attempt is a customer too (they tried), with nothing spent.
    await query(
      h.app.deps.db,
      sql`INSERT INTO purchases (id, ref, plan_id, phone, amount_kes, channel, status, created_at, updated_at, failed_at)
          VALUES (${randomUUID()}, 'RFAIL1', 1, '254733000003', 20, 'stk', 'failed', '2026-03-01T07:00:00Z', '2026-03-01T07:00:00Z', '2026-03-01T07:00:00Z')`,
    );
    const cash = await inject(h, owner, 'POST', '/api/admin/purchases/cash', {
      planId: 1,
      phone: '0744000004',
    });
    expect(cash.statusCode, cash.body).toBe(201);

    const list = (await inject(h, viewer, 'GET', '/api/admin/customers')).json();
    const phones = list.items.map((c: any) => c.phone);
    expect(phones).toEqual(
      expect.arrayContaining(['254711000001', '254722000002', '254733000003', '254744000004']),
    );
    const first = list.items.find((c: any) => c.phone === '254711000001');
    expect(first).toMatchObject({
      id: '254711000001',
      purchases: 2,
      spentKes: 150,
      codes: 2,
      lastSeenAt: '2026-03-01T10:00:00.000Z',
    });
    expect(list.items.find((c: any) => c.phone === '254733000003')).toMatchObject({
      purchases: 0,
      spentKes: 0,
    });

    // Device seen online later than the purchase moves "last seen".
    await query(
      h.app.deps.db,
      sql`INSERT INTO access_devices (access_code_id, mac, bound_at, last_seen_at) VALUES (${a.codeId}, 'AA:BB:CC:00:00:01', '2026-03-01T08:01:00Z', '2026-03-02T06:00:00Z')`,
    );
    const detail = await inject(h, viewer, 'GET', '/api/admin/customers/0711000001');
    expect(detail.statusCode).toBe(200);
    expect(detail.json().lastSeenAt).toBe('2026-03-02T06:00:00.000Z');
    expect(detail.json().recentPurchases).toHaveLength(2);
    expect(detail.json().recentCodes).toHaveLength(2);

    const paged = (await inject(h, viewer, 'GET', '/api/admin/customers?limit=2')).json();
    expect(paged.items).toHaveLength(2);
    const next = (
      await inject(h, viewer, 'GET', `/api/admin/customers?limit=2&cursor=${paged.nextCursor}`)
    ).json();
    const all = [...paged.items, ...next.items].map((c: any) => c.phone);
    expect(new Set(all).size).toBe(4);

    const found = (await inject(h, viewer, 'GET', '/api/admin/customers?q=722000')).json();
    expect(found.items.map((c: any) => c.phone)).toEqual(['254722000002']);
  });

  it('refuses a customer id that is not a phone with 400 naming the field, and an unknown one with 404', async () => {
    const bad = await inject(h, viewer, 'GET', '/api/admin/customers/12ab');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toContain('id');
    expect((await inject(h, viewer, 'GET', '/api/admin/customers/0799999999')).statusCode).toBe(404);
    expect((await inject(h, viewer, 'GET', '/api/admin/customers?cursor=zzz')).statusCode).toBe(400);
    expect((await inject(h, viewer, 'GET', '/api/admin/customers?limit=0')).statusCode).toBe(400);
  });
});

describe('codes list', () => {
  it('shows the code, batch and phone; masked for a viewer, readable for a cashier', async () => {
    const b = await inject(h, owner, 'POST', '/api/admin/vouchers/batches', {
      planId: 1,
      count: 3,
      label: 'Hostel A',
    });
    expect(b.statusCode).toBe(201);
    const asCashier = (
      await inject(h, cashier, 'GET', `/api/admin/codes?batchId=${b.json().batchId}`)
    ).json();
    expect(asCashier.items).toHaveLength(3);
    for (const c of asCashier.items) {
      expect(c.code).toMatch(/^[A-Z0-9]{10}$/);
      expect(c).toMatchObject({ codeMasked: false, batchLabel: 'Hostel A' });
    }
    expect(new Set(asCashier.items.map((c: any) => c.code)).size).toBe(3);
    const asViewer = (await inject(h, viewer, 'GET', `/api/admin/codes?batchId=${b.json().batchId}`)).json();
    for (const [i, c] of asViewer.items.entries()) {
      expect(c.codeMasked).toBe(true);
      expect(c.code).toBe(`•••••••${asCashier.items[i].code.slice(-3)}`);
    }
    const one = asCashier.items[0];
    expect((await inject(h, viewer, 'GET', `/api/admin/codes/${one.id}`)).json().code).not.toContain(
      one.code,
    );
    expect((await inject(h, cashier, 'GET', `/api/admin/codes/${one.id}`)).json()).toMatchObject({
      code: one.code,
      batchLabel: 'Hostel A',
    });
    const sold = await mpesaSale('254755000005', 'ACDEFGHJK5', '2026-03-01T11:00:00Z');
    expect((await inject(h, owner, 'GET', `/api/admin/codes/${sold.codeId}`)).json()).toMatchObject({
      code: 'ACDEFGHJK5',
      phone: '254755000005',
      batchId: null,
    });
  });
});
