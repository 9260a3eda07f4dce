import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueForPurchase } from '../../src/access/issue-for-purchase.ts';
import { createDeps } from '../../src/app/create-deps.ts';
import type { Deps } from '../../src/app/deps.ts';
import type { App } from '../../src/app/run.ts';
import { query } from '../../src/db/open.ts';
import { ManualClock } from '../../src/lib/clock.ts';
import { importVouchers } from '../../src/vouchers/import-vouchers.ts';
import { silentLog, startDrainedApp } from '../helpers/app.ts';
import { onPostgres, type TestDatabase } from '../helpers/db.ts';
import { planId } from './helpers.ts';
import { adminHeaders } from '../admin/helpers.ts';
import { SYSTEM } from '../../src/audit/index.ts';

let t: TestDatabase;
let app: App;
let deps: Deps;
const clock = new ManualClock('2026-03-03T07:00:00Z');

beforeAll(async () => {
  ({ t, app } = await startDrainedApp(clock));
  deps = app.deps;
});
afterAll(async () => {
  await app.stop();
  await t.drop();
});

/** An M-Pesa "buy a voucher" purchase as payments completes it. */
async function buyVoucher(d: Deps, plan: number, buyer: string, recipient: string | null) {
  const id = randomUUID();
  return d.db.transaction(async (tx) => {
    await tx.execute(
      sql`INSERT INTO purchases (id, ref, plan_id, phone, amount_kes, channel, purpose, recipient_phone)
          VALUES (${id}, ${id.slice(0, 10)}, ${plan}, ${buyer}, 20, 'stk', 'voucher', ${recipient})`,
    );
    const r = await issueForPurchase(tx, d, {
      purchaseId: id,
      planId: plan,
      phone: buyer,
      mac: null,
      routerId: null,
      purpose: 'voucher',
    });
    await tx.execute(
      sql`UPDATE purchases SET status = 'paid', paid_at = ${clock.now()}, access_code_id = ${r.accessCodeId} WHERE id = ${id}`,
    );
    return { purchaseId: id, ...r };
  });
}

/** `body` is the text sent (sealed at rest); `stored` what the row shows, code masked. */
const smsFor = async (purchaseId: string) =>
  (
    await query<{ to_phone: string; body: string; body_sealed: string; template: string }>(
      deps.db,
      sql`SELECT to_phone, body, body_sealed, template FROM sms_messages WHERE purchase_id = ${purchaseId}`,
    )
  ).map(({ body_sealed, body, ...r }) => ({ ...r, stored: body, body: deps.sealer.unseal(body_sealed) }));

describe('selling vouchers', () => {
  it('an M-Pesa voucher purchase takes pre-made stock first and texts the code to the recipient', async () => {
    const plan = await planId(deps, '1 Hour');
    await importVouchers(deps, { actor: SYSTEM, planId: plan, text: 'STOCK00001\nSTOCK00002\n' });
    const a = await buyVoucher(deps, plan, '254722000001', '0733000001');
    expect(['STOCK00001', 'STOCK00002']).toContain(a.code);
    const sms = await smsFor(a.purchaseId);
    expect(sms).toHaveLength(1);
    expect(sms[0]).toMatchObject({ to_phone: '254733000001', template: 'gift' });
    expect(sms[0]!.body).toContain(a.code);
    expect(sms[0]!.body).toContain('0722***001');
    expect(sms[0]!.stored).not.toContain(a.code);
    expect(sms[0]!.stored).toContain('0722***001');
    const b = await buyVoucher(deps, plan, '254722000002', null);
    expect(b.code).toBe(a.code === 'STOCK00001' ? 'STOCK00002' : 'STOCK00001');
    expect((await smsFor(b.purchaseId))[0]).toMatchObject({ to_phone: '254722000002', template: 'code' });
    // Stock is gone: a fresh code is made, sold, and still sent.
    const c = await buyVoucher(deps, plan, '254722000003', '254733000003');
    expect(c.code).toMatch(/^[A-Z0-9]{10}$/);
    const [row] = await query<{ kind: string; sold_at: string | null; status: string }>(
      deps.db,
      sql`SELECT kind, sold_at, status FROM access_codes WHERE id = ${c.accessCodeId}`,
    );
    expect(row).toMatchObject({ kind: 'voucher', status: 'issued' });
    expect(row!.sold_at).not.toBeNull();
    expect((await smsFor(c.purchaseId))[0]!.body).toContain(c.code);
  });

  it('many concurrent voucher purchases: each stock voucher sold once, the rest get fresh codes', async () => {
    const plan = await planId(deps, '3 Hours');
    const stock = Array.from({ length: 12 }, (_, i) => `CONC${String(i).padStart(6, '0')}`);
    await importVouchers(deps, { actor: SYSTEM, planId: plan, text: stock.join('\n') });
    const other = onPostgres()
      ? createDeps({ config: deps.config, database: await t.openAnother(), clock, log: silentLog() })
      : deps;
    const sales = await Promise.all(
      Array.from({ length: 25 }, (_, i) =>
        buyVoucher(i % 2 ? other : deps, plan, `2547220001${String(i).padStart(2, '0')}`, null),
      ),
    );
    const codes = sales.map((s) => s.code);
    expect(new Set(codes).size).toBe(25);
    expect(codes.filter((c) => c.startsWith('CONC')).sort()).toEqual(stock);
    const [n] = await query<{ n: number }>(
      deps.db,
      sql`SELECT count(*)::int AS n FROM sms_messages WHERE purchase_id IN (${sql.join(
        sales.map((s) => sql`${s.purchaseId}`),
        sql`, `,
      )})`,
    );
    expect(n!.n).toBe(25);
  });

  it('a cash sale is a paid cash purchase with a code, and texts it when a phone is given', async () => {
    const plan = await planId(deps, '24 Hours');
    const r = await app.server!.inject({
      method: 'POST',
      url: '/api/admin/vouchers/sell-cash',
      headers: await adminHeaders(app, 'cashier'),
      payload: { planId: plan, phone: '0744 000 001' },
    });
    expect(r.statusCode).toBe(201);
    const sale = r.json();
    expect(sale).toMatchObject({ amountKes: 300 });
    const [p] = await query<{ status: string; channel: string; purpose: string; access_code_id: string }>(
      deps.db,
      sql`SELECT status, channel, purpose, access_code_id FROM purchases WHERE id = ${sale.purchaseId}`,
    );
    expect(p).toMatchObject({
      status: 'paid',
      channel: 'cash',
      purpose: 'voucher',
      access_code_id: sale.accessCodeId,
    });
    expect((await smsFor(sale.purchaseId))[0]).toMatchObject({ to_phone: '254744000001' });
    const redeem = await app.server!.inject({
      method: 'POST',
      url: '/api/access/redeem',
      payload: { code: sale.code, mac: 'AA:BB:CC:00:00:01' },
    });
    expect(redeem.json()).toMatchObject({ ok: true, secondsLeft: 86400 });
  });
});
