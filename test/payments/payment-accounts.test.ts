/**
 * Payment accounts against the Daraja simulator over real sockets, on PGlite and PostgreSQL:
 * a purchase on a router assigned to account B pushes with B's store number and till (Buy Goods)
 * and B's OAuth app; a site assignment works the same; a C2B payment to Paybill C credits a
 * purchase recorded under C; the dashboard's revenue per account adds up; and bad input through
 * the admin API is a 400 naming the field.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountInput, createPaymentAccount } from '../../src/admin/payment-accounts/manage-accounts.ts';
import { getDashboard } from '../../src/admin/dashboard/get-dashboard.ts';
import { SYSTEM } from '../../src/audit/index.ts';
import { query } from '../../src/db/open.ts';
import { startPurchase } from '../../src/payments/index.ts';
import { adminHeaders } from '../admin/helpers.ts';
import { freshPhone, type PaymentsHarness, startPaymentsApp, waitFor } from './helpers.ts';

const B = {
  app: { consumerKey: 'shop-b-key', consumerSecret: 'shop-b-secret' },
  merchant: { shortcode: '300500', passkey: 'shop-b-passkey', tills: ['300501'] },
};

let h: PaymentsHarness;
let accountB: number;
let accountC: number;
let routerA: number;
let routerB: number;
let routerSite: number;
let headers: Record<string, string>;

beforeAll(async () => {
  h = await startPaymentsApp();
  h.sim.apps.push(B.app);
  h.sim.merchants.push(B.merchant);
  const db = h.app.deps.db;
  const add = async (name: string, site: string | null) =>
    (
      await query<{ id: number }>(
        db,
        sql`INSERT INTO routers (name, mode, host, site) VALUES (${name}, 'api', '127.0.0.1', ${site}) RETURNING id`,
      )
    )[0]!.id;
  routerA = await add('shop-a', null);
  routerB = await add('shop-b', null);
  routerSite = await add('shop-b-upstairs', 'Upstairs');
  accountB = (
    await createPaymentAccount(
      h.app.deps,
      accountInput.parse({
        name: 'Shop B till',
        type: 'till',
        shortcode: B.merchant.shortcode,
        till: '300501',
        environment: 'sandbox',
        consumerKey: B.app.consumerKey,
        consumerSecret: B.app.consumerSecret,
        passkey: B.merchant.passkey,
        routerIds: [routerB],
        sites: ['Upstairs'],
      }),
      SYSTEM,
      null,
    )
  ).id;
  headers = await adminHeaders(h.app, 'owner');
}, 120_000);
afterAll(async () => {
  await h?.stop();
});

const lastPush = () => [...h.sim.txns.values()].at(-1)!;
const purchaseRow = async (id: string) =>
  (
    await query<{ payment_account_id: number; status: string; mpesa_receipt: string | null }>(
      h.app.deps.db,
      sql`SELECT payment_account_id, status, mpesa_receipt FROM purchases WHERE id = ${id}`,
    )
  )[0]!;

describe('payment accounts', () => {
  it("a purchase on a router pushes with that router's account, and records it", async () => {
    const onB = await startPurchase(h.app.deps, { planId: 1, phone: freshPhone(), routerId: routerB });
    expect(onB.status).toBe('pending');
    const pushB = lastPush();
    // Buy Goods: BusinessShortCode is the store number, PartyB the till; B's own Daraja app.
    expect(pushB).toMatchObject({
      shortcode: '300500',
      partyB: '300501',
      transactionType: 'CustomerBuyGoodsOnline',
      app: B.app.consumerKey,
    });
    expect((await purchaseRow(onB.id)).payment_account_id).toBe(accountB);
    await waitFor(async () => (await purchaseRow(onB.id)).status === 'paid');

    const onA = await startPurchase(h.app.deps, { planId: 1, phone: freshPhone(), routerId: routerA });
    expect(lastPush()).toMatchObject({ shortcode: '174379', transactionType: 'CustomerPayBillOnline' });
    expect((await purchaseRow(onA.id)).payment_account_id).toBe(1);
    await waitFor(async () => (await purchaseRow(onA.id)).status === 'paid');

    // The site's account, for a router with no account of its own.
    const onSite = await startPurchase(h.app.deps, { planId: 2, phone: freshPhone(), routerId: routerSite });
    expect(lastPush()).toMatchObject({ shortcode: '300500', partyB: '300501' });
    expect((await purchaseRow(onSite.id)).payment_account_id).toBe(accountB);
    await waitFor(async () => (await purchaseRow(onSite.id)).status === 'paid');
  });

  it('a C2B payment to Paybill C (added through the API) credits a purchase recorded under C', async () => {
    h.sim.apps.push({ consumerKey: 'shop-c-key', consumerSecret: 'shop-c-secret' });
    h.sim.merchants.push({ shortcode: '400600', passkey: 'shop-c-passkey' });
    const created = await h.app.server!.inject({
      method: 'POST',
      url: '/api/admin/payment-accounts',
      headers,
      payload: {
        name: 'Shop C paybill',
        shortcode: '400600',
        consumerKey: 'shop-c-key',
        consumerSecret: 'shop-c-secret',
        passkey: 'shop-c-passkey',
      },
    });
    expect(created.statusCode).toBe(201);
    accountC = created.json().id;
    // C's URLs are registered from the page's button, with Daraja's answer in plain words.
    const reg = await h.app.server!.inject({
      method: 'POST',
      url: `/api/admin/payment-accounts/${accountC}/register-urls`,
      headers,
    });
    expect(reg.json()).toMatchObject({ ok: true, message: expect.stringContaining('Shop C paybill') });
    const phone = freshPhone();
    const before = new Set(h.sim.ledger.keys());
    h.sim.c2bSimulate('x', {
      ShortCode: '400600',
      CommandID: 'CustomerPayBillOnline',
      Amount: 100,
      Msisdn: phone,
      BillRefNumber: `0${phone.slice(3)}`,
    });
    const receipt = [...h.sim.ledger.keys()].find((k) => !before.has(k))!;
    await h.sim.idle();
    const [p] = await waitFor(async () => {
      const rows = await query<{ payment_account_id: number; status: string; channel: string }>(
        h.app.deps.db,
        sql`SELECT payment_account_id, status, channel FROM purchases WHERE mpesa_receipt = ${receipt}`,
      );
      return rows.length ? rows : null;
    });
    expect(p).toEqual({ payment_account_id: accountC, status: 'paid', channel: 'c2b' });
  });

  it('the dashboard shows revenue per account', async () => {
    const d = await getDashboard(h.app.deps, { days: 1 });
    const sums = await query<{ id: number; kes: number }>(
      h.app.deps.db,
      sql`SELECT payment_account_id AS id, sum(coalesce(paid_amount_kes, amount_kes))::int AS kes
          FROM purchases WHERE status = 'paid' GROUP BY 1`,
    );
    const byId = Object.fromEntries(d.revenuePerAccount.map((r) => [r.accountId, r.kes]));
    // Paid on B: a 20 KES STK and a 50 KES STK (site); on C the 100 KES C2B; on the main one 20.
    expect(byId[accountB]).toBe(70);
    expect(byId[accountC]).toBe(100);
    expect(byId[1]).toBe(20);
    expect(Object.keys(byId).length).toBe(sums.length);
    expect(d.revenuePerAccount.find((r) => r.accountId === accountB)?.name).toBe('Shop B till');
  });

  it('Test answers in plain words for each account, and stamps the one that passed', async () => {
    const ok = await h.app.server!.inject({
      method: 'POST',
      url: `/api/admin/payment-accounts/${accountB}/test`,
      headers,
    });
    expect(ok.json()).toMatchObject({ ok: true, message: expect.stringContaining('Shop B till') });
    const list = await h.app.server!.inject({ method: 'GET', url: '/api/admin/payment-accounts', headers });
    const b = list.json().items.find((a: { id: number }) => a.id === accountB);
    expect(b).toMatchObject({ payTo: '300501', routerIds: [routerB], sites: ['Upstairs'], passkeySet: true });
    expect(b.testedAt).not.toBeNull();
    expect(JSON.stringify(list.json())).not.toContain(B.app.consumerSecret);

    // A wrong secret: Daraja refuses, and the page says why in plain words (not a 500).
    const patch = await h.app.server!.inject({
      method: 'PATCH',
      url: `/api/admin/payment-accounts/${accountB}`,
      headers,
      payload: { consumerSecret: 'wrong' },
    });
    expect(patch.statusCode).toBe(200);
    const bad = await h.app.server!.inject({
      method: 'POST',
      url: `/api/admin/payment-accounts/${accountB}/test`,
      headers,
    });
    expect(bad.statusCode).toBe(200);
    expect(bad.json()).toMatchObject({ ok: false });
    expect(bad.json().message).toMatch(/key|secret/i);
  });

  it('bad input is a 400 naming the field', async () => {
    const post = (payload: unknown) =>
      h.app.server!.inject({
        method: 'POST',
        url: '/api/admin/payment-accounts',
        headers,
        payload: payload as never,
      });
    const cases: [unknown, string][] = [
      [{ name: 'X', shortcode: '12', consumerKey: 'k', consumerSecret: 's', passkey: 'p' }, 'shortcode'],
      [{ name: 'X', shortcode: '123456', consumerSecret: 's', passkey: 'p' }, 'consumerKey'],
      [
        { name: 'X', type: 'till', shortcode: '123456', consumerKey: 'k', consumerSecret: 's', passkey: 'p' },
        'till',
      ],
      [
        { name: 'Shop B till', shortcode: '123456', consumerKey: 'k', consumerSecret: 's', passkey: 'p' },
        'name',
      ],
      [
        {
          name: 'X',
          shortcode: '123456',
          consumerKey: 'k',
          consumerSecret: 's',
          passkey: 'p',
          routerIds: [999999],
        },
        'routerIds',
      ],
      [
        { name: 'X', shortcode: '123456', consumerKey: 'k', consumerSecret: 's', passkey: 'p', color: 'red' },
        'color',
      ],
    ];
    for (const [payload, fieldName] of cases) {
      const r = await post(payload);
      expect(r.statusCode, JSON.stringify(payload)).toBe(400);
      expect(r.json().error.message).toContain(fieldName);
    }
    // The main account's credentials belong to Settings → M-Pesa.
    const main = await h.app.server!.inject({
      method: 'PATCH',
      url: '/api/admin/payment-accounts/1',
      headers,
      payload: { passkey: 'x' },
    });
    expect(main.statusCode).toBe(400);
    expect(main.json().error.message).toContain('passkey');
  });
});
