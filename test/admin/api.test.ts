import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashCode } from '../../src/access/codes.ts';
import { adminRoutes } from '../../src/admin/admin-routes.ts';
import { query } from '../../src/db/open.ts';
import { type AdminHarness, adminHarness, inject, makeUser, sessionFor } from './helpers.ts';

let h: AdminHarness;
let owner: { cookie: string; csrf: string };
let cashier: { cookie: string; csrf: string };
let routerId: number;

const db = () => h.app.deps.db;
const rows = <T = Record<string, any>>(q: ReturnType<typeof sql>) => query<T>(db(), q);

async function seedPurchase(o: {
  at: string;
  status?: string;
  phone?: string | null;
  planId?: number;
  amount?: number;
  channel?: string;
  receipt?: string | null;
  resultCode?: string | null;
  routerId?: number | null;
  paidAt?: string | null;
  checkout?: string | null;
}) {
  const id = randomUUID();
  const status = o.status ?? 'pending';
  const paidAt = status === 'paid' ? (o.paidAt ?? o.at) : null;
  let codeId: string | null = null;
  if (status === 'paid') {
    codeId = randomUUID();
    await db().execute(
      sql`INSERT INTO access_codes (id, code_hash, code_sealed, plan_id, kind, purchase_id, devices, clock, duration_seconds, issued_at, updated_at)
          VALUES (${codeId}, ${`h-${codeId}`}, ${h.app.deps.sealer.seal(`P${codeId.slice(0, 9)}`)}, ${o.planId ?? 1}, 'purchase', ${id}, 1, 'wall', 3600, ${o.at}, ${o.at})`,
    );
  }
  await db().execute(
    sql`INSERT INTO purchases (id, ref, plan_id, phone, amount_kes, channel, status, result_code, mpesa_receipt,
                               checkout_request_id, router_id, access_code_id, created_at, updated_at, paid_at, failed_at)
        VALUES (${id}, ${`R${id.slice(0, 8)}`}, ${o.planId ?? 1}, ${o.phone === undefined ? '254712000001' : o.phone},
                ${o.amount ?? 20}, ${o.channel ?? 'stk'}, ${status}, ${o.resultCode ?? null}, ${o.receipt ?? null},
                ${o.checkout ?? null}, ${o.routerId ?? null}, ${codeId}, ${o.at}, ${o.at}, ${paidAt},
                ${status === 'failed' ? o.at : null})`,
  );
  return { id, codeId };
}

beforeAll(async () => {
  h = await adminHarness();
  owner = await sessionFor(h, (await makeUser(h, 'boss', 'owner')).id);
  cashier = await sessionFor(h, (await makeUser(h, 'till', 'cashier')).id);
  const r = await inject(h, owner, 'POST', '/api/admin/routers', {
    name: 'cafe-1',
    mode: 'api',
    host: '192.168.88.1',
    username: 'wavu',
    password: 'router-pass-123',
  });
  expect(r.statusCode).toBe(201);
  routerId = r.json().router.id;
});
afterAll(() => h.stop());

describe('plans', () => {
  it('creates, changes and retires or deletes plans, auditing each change', async () => {
    const c = await inject(h, owner, 'POST', '/api/admin/plans', {
      name: '30 Minutes',
      priceKes: 10,
      durationSeconds: 1800,
    });
    expect(c.statusCode).toBe(201);
    const id = c.json().id;
    expect(c.json()).toMatchObject({
      name: '30 Minutes',
      priceKes: 10,
      devices: 1,
      clock: 'wall',
      active: true,
    });
    expect(
      (
        await inject(h, owner, 'POST', '/api/admin/plans', {
          name: '30 Minutes',
          priceKes: 10,
          durationSeconds: 1800,
        })
      ).statusCode,
    ).toBe(409);
    expect(
      (
        await inject(h, owner, 'POST', '/api/admin/plans', {
          name: 'Bad',
          priceKes: 10.5,
          durationSeconds: 1800,
        })
      ).statusCode,
    ).toBe(400);
    const u = await inject(h, owner, 'PATCH', `/api/admin/plans/${id}`, { priceKes: 15 });
    expect(u.json().priceKes).toBe(15);
    const audit = await rows<{ action: string; detail: any }>(
      sql`SELECT action, detail FROM audit_log WHERE entity = 'plan' AND entity_id = ${String(id)} ORDER BY id`,
    );
    expect(audit.map((a) => a.action)).toEqual(['plan.create', 'plan.update']);
    expect(JSON.stringify(audit[1]!.detail)).toContain('"from":10');
    // Plan 1 has sales (seeded below and by other tests) → retired, not deleted.
    await seedPurchase({ at: '2026-03-01T10:00:00Z', planId: 1 });
    expect((await inject(h, owner, 'DELETE', '/api/admin/plans/1')).json()).toEqual({
      deleted: false,
      retired: true,
    });
    await inject(h, owner, 'PATCH', '/api/admin/plans/1', { active: true });
    expect((await inject(h, owner, 'DELETE', `/api/admin/plans/${id}`)).json()).toEqual({
      deleted: true,
      retired: false,
    });
    const list = await inject(h, cashier, 'GET', '/api/admin/plans');
    expect(list.json().items.map((p: any) => p.name)).toEqual(['1 Hour', '3 Hours', '6 Hours', '24 Hours']);
  });
});

describe('cash sales', () => {
  it('record a paid cash purchase and its code in one transaction, once per request id', async () => {
    const requestId = randomUUID();
    const body = { requestId, planId: 2, phone: '0712 345 678', sendSms: true, purpose: 'voucher' };
    const [a, b] = await Promise.all([
      inject(h, cashier, 'POST', '/api/admin/purchases/cash', body),
      inject(h, cashier, 'POST', '/api/admin/purchases/cash', body),
    ]);
    const codes = [a.statusCode, b.statusCode].sort();
    expect(codes[0]).toBe(200);
    expect([200, 201]).toContain(codes[1]);
    expect(a.json().code).toBe(b.json().code);
    expect(a.json().code).toMatch(/^[A-Z0-9]{10}$/);
    const p = await rows(sql`SELECT * FROM purchases WHERE id = ${requestId}`);
    expect(p).toHaveLength(1);
    expect(p[0]).toMatchObject({
      status: 'paid',
      channel: 'cash',
      amount_kes: 50,
      paid_amount_kes: 50,
      phone: '254712345678',
    });
    const code = await rows(sql`SELECT * FROM access_codes WHERE id = ${p[0]!.access_code_id}`);
    expect(code[0]!.code_hash).toBe(hashCode(h.app.deps.sealer, a.json().code));
    const sms = await rows(sql`SELECT * FROM sms_messages WHERE purchase_id = ${requestId}`);
    expect(sms).toHaveLength(1);
    // The code is sealed at rest; staff see the text with it masked.
    expect(sms[0]!.body).not.toContain(a.json().code);
    expect(sms[0]!.body).toMatch(/code is \*{5}-?\*{5} /);
    expect(h.app.deps.sealer.unseal(sms[0]!.body_sealed)).toContain(a.json().code);
    const jobs = await rows(sql`SELECT kind FROM jobs WHERE kind = 'sms.send'`);
    expect(jobs.length).toBeGreaterThanOrEqual(1);
    const audit = await rows(sql`SELECT actor, action FROM audit_log WHERE entity_id = ${requestId}`);
    expect(audit).toEqual([{ actor: 'till', action: 'purchase.cash_sale' }]);
    expect(
      JSON.stringify(await rows(sql`SELECT detail FROM audit_log WHERE entity_id = ${requestId}`)),
    ).not.toContain(a.json().code);
  });

  it('write nothing when any part fails', async () => {
    const before = await rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM purchases`);
    const bad = await inject(h, cashier, 'POST', '/api/admin/purchases/cash', { planId: 1, routerId: 999 });
    expect(bad.statusCode).toBe(404);
    const gone = await inject(h, cashier, 'POST', '/api/admin/purchases/cash', { planId: 9999 });
    expect(gone.statusCode).toBe(404);
    expect(
      (await inject(h, cashier, 'POST', '/api/admin/purchases/cash', { planId: 1, phone: '12345' }))
        .statusCode,
    ).toBe(400);
    const after = await rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM purchases`);
    expect(after[0]!.n).toBe(before[0]!.n);
  });

  it('onto a device at the hotspot binds it and queues the router grant', async () => {
    const r = await inject(h, cashier, 'POST', '/api/admin/purchases/cash', {
      planId: 1,
      purpose: 'access',
      mac: 'aa-bb-cc-dd-ee-01',
      routerId,
    });
    expect(r.statusCode).toBe(201);
    const jobs = await rows(
      sql`SELECT payload FROM jobs WHERE kind = 'gateway.grant' AND payload->>'accessCodeId' = ${r.json().accessCodeId}`,
    );
    expect(jobs).toHaveLength(1);
  });
});

describe('purchases list', () => {
  it('pages by keyset through rows that share a timestamp without skipping or repeating', async () => {
    const ids = new Set<string>();
    for (let i = 0; i < 45; i++) {
      const at = `2026-02-10T10:00:0${i % 3}Z`; // many ties
      ids.add(
        (await seedPurchase({ at, phone: '254722000111', status: i % 4 === 0 ? 'failed' : 'paid' })).id,
      );
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await inject(
        h,
        cashier,
        'GET',
        `/api/admin/purchases?q=0722000111&limit=10${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(res.statusCode).toBe(200);
      seen.push(...res.json().items.map((p: any) => p.id));
      cursor = res.json().nextCursor;
      pages++;
    } while (cursor && pages < 20);
    expect(pages).toBe(5);
    expect(new Set(seen).size).toBe(45);
    expect(new Set(seen)).toEqual(ids);
    const failed = await inject(
      h,
      cashier,
      'GET',
      '/api/admin/purchases?q=254722000111&status=failed&limit=100',
    );
    expect(failed.json().items).toHaveLength(12);
    expect((await inject(h, cashier, 'GET', '/api/admin/purchases?cursor=garbage')).statusCode).toBe(400);
  });

  it('finds a purchase by receipt, ref, id or access code, and nothing for a stranger', async () => {
    const p = await seedPurchase({
      at: '2026-02-11T08:00:00Z',
      status: 'paid',
      receipt: 'SKL7ABCD12',
      phone: '254733000222',
    });
    const byReceipt = await inject(h, cashier, 'GET', '/api/admin/purchases?q=skl7abcd12');
    expect(byReceipt.json().items.map((x: any) => x.id)).toEqual([p.id]);
    const byId = await inject(h, cashier, 'GET', `/api/admin/purchases?q=${p.id}`);
    expect(byId.json().items.map((x: any) => x.id)).toEqual([p.id]);
    const sale = await inject(h, cashier, 'POST', '/api/admin/purchases/cash', { planId: 1 });
    const code = sale.json().code as string;
    const byCode = await inject(
      h,
      cashier,
      'GET',
      `/api/admin/purchases?q=${code.slice(0, 5)}-${code.slice(5).toLowerCase()}`,
    );
    expect(byCode.json().items.map((x: any) => x.id)).toEqual([sale.json().purchaseId]);
    const byRef = await inject(h, cashier, 'GET', `/api/admin/purchases?q=${sale.json().ref}`);
    expect(byRef.json().items.map((x: any) => x.id)).toEqual([sale.json().purchaseId]);
    expect((await inject(h, cashier, 'GET', '/api/admin/purchases?q=NOSUCHTHING')).json().items).toEqual([]);
  });

  it('shows one purchase with its raw callbacks in a timeline', async () => {
    const p = await seedPurchase({
      at: '2026-02-12T08:00:00Z',
      status: 'paid',
      checkout: 'ws_CO_123',
      routerId,
    });
    await db().execute(
      sql`INSERT INTO callback_inbox (kind, received_at, body, checkout_request_id, purchase_id, outcome, processed_at)
          VALUES ('stk', '2026-02-12T08:00:07Z', ${JSON.stringify({ Body: { stkCallback: { ResultCode: 0, CheckoutRequestID: 'ws_CO_123' } } })}::jsonb,
                  'ws_CO_123', ${p.id}, 'credited', '2026-02-12T08:00:07Z'),
                 ('stk', '2026-02-12T08:00:09Z', '{"dup":true}'::jsonb, 'ws_CO_123', NULL, 'duplicate', NULL)`,
    );
    const d = await inject(h, cashier, 'GET', `/api/admin/purchases/${p.id}`);
    expect(d.statusCode).toBe(200);
    const kinds = d.json().timeline.map((e: any) => e.kind);
    expect(kinds).toEqual(['created', 'paid', 'callback', 'callback']);
    expect(d.json().timeline[2].detail.body.Body.stkCallback.ResultCode).toBe(0);
    expect(d.json().purchase.routerName).toBe('cafe-1');
  });

  it('retries a grant by queueing gateway.grant, and refuses when there is nothing to grant', async () => {
    const p = await seedPurchase({ at: '2026-02-13T08:00:00Z', status: 'paid', routerId });
    const r1 = await inject(h, cashier, 'POST', `/api/admin/purchases/${p.id}/retry-grant`, {});
    expect(r1.statusCode).toBe(200);
    h.clock.advance(1000);
    const r2 = await inject(h, cashier, 'POST', `/api/admin/purchases/${p.id}/retry-grant`, {});
    expect(r2.json().jobId).not.toBe(r1.json().jobId);
    const jobs = await rows(
      sql`SELECT payload FROM jobs WHERE kind = 'gateway.grant' AND payload->>'accessCodeId' = ${p.codeId}`,
    );
    expect(jobs).toHaveLength(2);
    expect(jobs[0]!.payload).toEqual({ accessCodeId: p.codeId, routerId });
    const pending = await seedPurchase({ at: '2026-02-13T08:00:00Z', phone: null });
    expect(
      (await inject(h, cashier, 'POST', `/api/admin/purchases/${pending.id}/retry-grant`, {})).statusCode,
    ).toBe(409);
    const noRouter = await seedPurchase({ at: '2026-02-13T08:00:00Z', status: 'paid' });
    expect(
      (await inject(h, cashier, 'POST', `/api/admin/purchases/${noRouter.id}/retry-grant`, {})).statusCode,
    ).toBe(409);
  });
});

describe('resending a code', () => {
  it('queues an SMS with the code to the buyer or another phone, and audits without the code', async () => {
    const sale = await inject(h, cashier, 'POST', '/api/admin/purchases/cash', {
      planId: 1,
      phone: '0711 222 333',
    });
    const id = sale.json().purchaseId;
    const r1 = await inject(h, cashier, 'POST', `/api/admin/purchases/${id}/resend-code`, {});
    expect(r1.json().to).toBe('254711222333');
    const r2 = await inject(h, cashier, 'POST', `/api/admin/purchases/${id}/resend-code`, {
      phone: '0722 999 888',
    });
    expect(r2.json().to).toBe('254722999888');
    const sms = await rows(
      sql`SELECT to_phone, body, body_sealed FROM sms_messages WHERE purchase_id = ${id} ORDER BY created_at`,
    );
    expect(sms.map((m) => m.to_phone).sort()).toEqual(['254711222333', '254722999888']);
    expect(sms[0]!.body).not.toContain(sale.json().code.slice(5));
    expect(h.app.deps.sealer.unseal(sms[0]!.body_sealed)).toContain(sale.json().code.slice(5));
    const audit = await rows(sql`SELECT detail FROM audit_log WHERE action = 'purchase.resend_code'`);
    expect(JSON.stringify(audit)).not.toContain(sale.json().code.slice(5));
    // The purchase's timeline lists the texts with the code masked.
    const d = (await inject(h, cashier, 'GET', `/api/admin/purchases/${id}`)).json();
    const texts = d.timeline.filter((e: any) => e.kind === 'sms').map((e: any) => e.detail.text);
    expect(texts).toHaveLength(2);
    for (const text of texts) {
      expect(text).toMatch(/your WiFi code is \*{5}-?\*{5} /);
      expect(text).not.toContain(sale.json().code.slice(5));
    }
    const pending = await seedPurchase({ at: '2026-02-13T08:00:00Z', phone: null });
    expect(
      (await inject(h, cashier, 'POST', `/api/admin/purchases/${pending.id}/resend-code`, {})).statusCode,
    ).toBe(409);
  });
});

describe('voucher batches', () => {
  it('lists batches newest first with code counts by status', async () => {
    const b = randomUUID();
    await db().execute(
      sql`INSERT INTO voucher_batches (id, plan_id, label, count, created_at) VALUES (${b}, 2, 'Hostel A', 3, '2026-03-01T08:00:00Z')`,
    );
    for (const [i, st] of ['issued', 'issued', 'revoked'].entries()) {
      await db().execute(
        sql`INSERT INTO access_codes (id, code_hash, code_sealed, plan_id, kind, batch_id, status, devices, clock, duration_seconds, revoked_at, issued_at, updated_at)
            VALUES (${randomUUID()}, ${`vb-${b}-${i}`}, ${h.app.deps.sealer.seal(`VB${i}`)}, 2, 'voucher', ${b}, ${st}, 1, 'wall', 10800, ${st === 'revoked' ? '2026-03-01T09:00:00Z' : null}, '2026-03-01T08:00:00Z', '2026-03-01T08:00:00Z')`,
      );
    }
    const r = (await inject(h, cashier, 'GET', '/api/admin/vouchers/batches')).json();
    expect(r.items[0]).toMatchObject({
      id: b,
      label: 'Hostel A',
      planName: '3 Hours',
      count: 3,
      unused: 2,
      revoked: 1,
      inUse: 0,
    });
  });
});

describe('codes and sessions', () => {
  it('revoking sets the status and queues gateway.revoke together; twice is a no-op', async () => {
    const p = await seedPurchase({ at: '2026-02-14T08:00:00Z', status: 'paid' });
    const r = await inject(h, owner, 'POST', `/api/admin/codes/${p.codeId}/revoke`, { reason: 'refund' });
    expect(r.json()).toEqual({ accessCodeId: p.codeId, changed: true });
    const again = await inject(h, owner, 'POST', `/api/admin/codes/${p.codeId}/revoke`, {});
    expect(again.json()).toEqual({ accessCodeId: p.codeId, changed: false });
    const jobs = await rows(
      sql`SELECT payload FROM jobs WHERE kind = 'gateway.revoke' AND payload->>'accessCodeId' = ${p.codeId}`,
    );
    expect(jobs).toHaveLength(1);
    const c = await inject(h, owner, 'GET', `/api/admin/codes/${p.codeId}`);
    expect(c.json().status).toBe('revoked');
    expect(JSON.stringify(c.json())).not.toContain('code_sealed');
  });

  it('disconnect queues gateway.disconnect for a live session only', async () => {
    const live = randomUUID();
    const closed = randomUUID();
    await db().execute(
      sql`INSERT INTO sessions (id, router_id, mac, ip, status, started_at, updated_at, stopped_at) VALUES
          (${live}, ${routerId}, 'AA:BB:CC:00:00:01', '10.5.50.2', 'active', '2026-03-02T08:00:00Z', '2026-03-02T08:50:00Z', NULL),
          (${closed}, ${routerId}, 'AA:BB:CC:00:00:02', '10.5.50.3', 'closed', '2026-03-02T07:00:00Z', '2026-03-02T07:50:00Z', '2026-03-02T07:50:00Z')`,
    );
    const list = await inject(h, owner, 'GET', '/api/admin/sessions');
    expect(list.json().items.map((s: any) => s.id)).toEqual([live]);
    expect(
      (await inject(h, owner, 'GET', '/api/admin/sessions?q=aa-bb-cc-00-00-02&status=all')).json().items[0]
        .id,
    ).toBe(closed);
    expect((await inject(h, owner, 'POST', `/api/admin/sessions/${live}/disconnect`)).json()).toEqual({
      queued: true,
    });
    expect((await inject(h, owner, 'POST', `/api/admin/sessions/${live}/disconnect`)).json()).toEqual({
      queued: false,
    });
    expect((await inject(h, owner, 'POST', `/api/admin/sessions/${closed}/disconnect`)).statusCode).toBe(409);
    const jobs = await rows(sql`SELECT payload FROM jobs WHERE kind = 'gateway.disconnect'`);
    expect(jobs.map((j) => j.payload)).toEqual([{ sessionId: live }]);
  });
});

describe('settings and routers', () => {
  it('secrets are write-only and sealed at rest', async () => {
    const put = await inject(h, owner, 'PUT', '/api/admin/settings/mpesa', {
      shortcode: '600123',
      type: 'paybill',
      consumerKey: 'ck-visible',
      consumerSecret: 'very-secret-value',
      passkey: 'pass-key-secret',
    });
    expect(put.statusCode).toBe(200);
    let s = (await inject(h, owner, 'GET', '/api/admin/settings')).json();
    expect(s.mpesa).toMatchObject({
      shortcode: '600123',
      consumerKey: 'ck-visible',
      consumerSecretSet: true,
      passkeySet: true,
    });
    const everything =
      JSON.stringify(await rows(sql`SELECT * FROM settings`)) +
      JSON.stringify(await rows(sql`SELECT * FROM audit_log`));
    expect(everything).not.toContain('very-secret-value');
    expect(everything).not.toContain('pass-key-secret');
    // Absent keeps, null clears.
    await inject(h, owner, 'PUT', '/api/admin/settings/mpesa', {
      shortcode: '600124',
      type: 'paybill',
      passkey: null,
    });
    s = (await inject(h, owner, 'GET', '/api/admin/settings')).json();
    expect(s.mpesa).toMatchObject({ shortcode: '600124', consumerSecretSet: true, passkeySet: false });
    const { getSecret } = await import('../../src/admin/settings/settings.ts');
    expect(await getSecret(db(), h.app.deps, 'mpesa.consumer_secret')).toBe('very-secret-value');
    const b = await inject(h, owner, 'PUT', '/api/admin/settings/branding', {
      name: 'Mama Njeri Cyber',
      color: '#aa3300',
      supportPhone: '0712345678',
    });
    expect(b.statusCode).toBe(200);
    expect((await inject(h, owner, 'GET', '/api/admin/settings')).json().branding.name).toBe(
      'Mama Njeri Cyber',
    );
    expect(
      (await inject(h, owner, 'PUT', '/api/admin/settings/branding', { name: 'x', color: 'red' })).statusCode,
    ).toBe(400);
  });

  it('serves a router setup script carrying its password, and audits who fetched it', async () => {
    const res = await inject(h, owner, 'GET', `/api/admin/routers/${routerId}/script`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-disposition']).toContain('wavu-cafe-1.rsc');
    expect(res.body).toContain('router-pass-123');
    const a = await rows(sql`SELECT actor FROM audit_log WHERE action = 'router.script'`);
    expect(a).toEqual([{ actor: 'boss' }]);
    const audit = JSON.stringify(await rows(sql`SELECT detail FROM audit_log WHERE entity = 'router'`));
    expect(audit).not.toContain('router-pass-123');
  });

  it('router passwords are sealed and never returned', async () => {
    const list = await inject(h, owner, 'GET', '/api/admin/routers');
    const r = list.json().items.find((x: any) => x.id === routerId);
    expect(r).toMatchObject({ name: 'cafe-1', passwordSet: true });
    expect(list.body).not.toContain('router-pass-123');
    const raw = await rows<{ password_sealed: string }>(
      sql`SELECT password_sealed FROM routers WHERE id = ${routerId}`,
    );
    expect(raw[0]!.password_sealed).toMatch(/^v1\./);
    expect(h.app.deps.sealer.unseal(raw[0]!.password_sealed)).toBe('router-pass-123');
    const radius = await inject(h, owner, 'POST', '/api/admin/routers', { name: 'radius-1', mode: 'radius' });
    expect(radius.statusCode).toBe(400);
  });

  it('a radius router takes RADIUS from its address, listed networks, or any address with a warning', async () => {
    const add = await inject(h, owner, 'POST', '/api/admin/routers', {
      name: 'radius-2',
      mode: 'radius',
      address: '10.8.0.12',
    });
    expect(add.statusCode).toBe(201);
    const id = add.json().router.id;
    expect(add.json().router).toMatchObject({ allowFrom: null, warnings: [] });
    const bad = await inject(h, owner, 'PATCH', `/api/admin/routers/${id}`, { allowFrom: 'everyone' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toContain('"everyone" is not an IP address or network');
    const listed = await inject(h, owner, 'PATCH', `/api/admin/routers/${id}`, {
      allowFrom: '10.8.0.0/24 10.9.0.7',
    });
    expect(listed.json()).toMatchObject({ allowFrom: '10.8.0.0/24,10.9.0.7', warnings: [] });
    await inject(h, owner, 'PATCH', `/api/admin/routers/${id}`, { allowFrom: 'ANY' });
    const r = (await inject(h, owner, 'GET', '/api/admin/routers'))
      .json()
      .items.find((x: any) => x.id === id);
    expect(r.allowFrom).toBe('any');
    expect(r.warnings).toEqual([expect.stringContaining('radius-2 accepts RADIUS from any address')]);
  });
});

describe('a router that polls Wavu (agent)', () => {
  it('is added without a host; its script needs the token shown once, never a 5xx', async () => {
    const add = await inject(h, owner, 'POST', '/api/admin/routers', {
      name: 'agent-shop',
      mode: 'api',
      transport: 'agent',
    });
    expect(add.statusCode).toBe(201);
    const { router, generated } = add.json();
    expect(generated.agentToken).toMatch(/.{20,}/);
    const path = `/api/admin/routers/${router.id}/script`;
    const none = await inject(h, owner, 'GET', path);
    expect(none.statusCode).toBe(400);
    expect(none.json().error.message).toContain('--rotate-token');
    const wrong = await inject(h, owner, 'GET', `${path}?agentToken=not-the-token`);
    expect(wrong.statusCode).toBe(400);
    const ok = await inject(
      h,
      owner,
      'GET',
      `${path}?agentToken=${encodeURIComponent(generated.agentToken)}&routeros=6`,
    );
    expect(ok.statusCode).toBe(200);
    expect(ok.body).toContain(generated.agentToken);
    expect(ok.body).toContain('/agent/v1/poll');
  });
});

describe('a router behind a WireGuard tunnel', () => {
  it('is added without a host, listed with its tunnel address, and its script carries the tunnel', async () => {
    const add = await inject(h, owner, 'POST', '/api/admin/routers', {
      name: 'wg-shop',
      mode: 'api',
      tunnel: 'wireguard',
    });
    expect(add.statusCode).toBe(201);
    const { id, tunnelAddress } = add.json().router;
    expect(tunnelAddress).toMatch(/^10\.250\.0\.\d+$/);
    const r = (await inject(h, owner, 'GET', '/api/admin/routers'))
      .json()
      .items.find((x: any) => x.id === id);
    expect(r).toMatchObject({ tunnel: 'wireguard', tunnelAddress, host: null });
    const script = await inject(h, owner, 'GET', `/api/admin/routers/${id}/script`);
    expect(script.body).toContain(`/ip address add address=${tunnelAddress}/24 interface="wavu-wg"`);
    expect(script.body).toContain('persistent-keepalive=25s');
    const bad = await inject(h, owner, 'POST', '/api/admin/routers', {
      name: 'wg-bad',
      mode: 'radius',
      address: '10.8.0.40',
      tunnel: 'wireguard',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toContain('only for mode api');
  });
});

describe('dashboard', () => {
  it('adds up revenue by East Africa day, plan and router, payment outcomes and time to access', async () => {
    const fresh = await adminHarness();
    const saved = h;
    h = fresh;
    try {
      const me = await sessionFor(h, (await makeUser(h, 'viewer', 'viewer')).id);
      // Clock: 2026-03-02 12:00 EAT. 2026-03-01 22:30 UTC is already 2 March in Nairobi.
      const a = await seedPurchase({ at: '2026-03-01T22:30:00Z', status: 'paid', planId: 1, amount: 20 });
      await seedPurchase({ at: '2026-03-01T20:30:00Z', status: 'paid', planId: 2, amount: 50 });
      await seedPurchase({ at: '2026-02-01T10:00:00Z', status: 'paid', planId: 2, amount: 50 }); // out of range
      await seedPurchase({
        at: '2026-03-01T10:00:00Z',
        status: 'failed',
        resultCode: '1032',
        phone: '254711000001',
      });
      await seedPurchase({
        at: '2026-03-01T11:00:00Z',
        status: 'failed',
        resultCode: '1032',
        phone: '254711000002',
      });
      await seedPurchase({
        at: '2026-03-01T11:00:00Z',
        status: 'failed',
        resultCode: '2001',
        phone: '254711000003',
      });
      await db().execute(
        sql`INSERT INTO sessions (id, access_code_id, status, started_at, updated_at)
            VALUES (${randomUUID()}, ${a.codeId}, 'active', '2026-03-01T22:30:04Z', '2026-03-01T22:40:00Z')`,
      );
      const d = (await inject(h, me, 'GET', '/api/admin/dashboard?days=7')).json();
      expect(d.revenuePerDay).toHaveLength(7);
      expect(d.revenuePerDay.at(-1)).toEqual({ day: '2026-03-02', kes: 20, payments: 1 });
      expect(d.revenuePerDay.at(-2)).toEqual({ day: '2026-03-01', kes: 50, payments: 1 });
      expect(d.revenue).toEqual({ totalKes: 70, todayKes: 20, payments: 2 });
      expect(d.revenuePerPlan.map((p: any) => [p.name, p.kes])).toEqual([
        ['3 Hours', 50],
        ['1 Hour', 20],
      ]);
      expect(d.payments.byStatus).toMatchObject({ paid: 2, failed: 3 });
      expect(d.payments.successRate).toBe(0.4);
      // Plain meanings, not Daraja's wording (its 2001 text talks about "initiator information").
      expect(d.payments.resultCodes[0]).toEqual({
        resultCode: '1032',
        meaning: 'Cancelled by the customer',
        description: null,
        count: 2,
      });
      expect(d.payments.resultCodes.find((r: any) => r.resultCode === '2001')?.meaning).toBe('Wrong PIN');
      expect(d.sessions.active).toBe(1);
      expect(d.timeToAccess).toEqual({ samples: 1, p50: 4, p90: 4, max: 4 });
    } finally {
      h = saved;
      await fresh.stop();
    }
  });
});

describe('exports and docs', () => {
  it('streams purchases as CSV with spreadsheet formulas defused', async () => {
    await db().execute(sql`UPDATE plans SET name = '=HYPERLINK("x")' WHERE id = 3`);
    await seedPurchase({ at: '2026-02-20T08:00:00Z', status: 'paid', planId: 3, phone: '254744000444' });
    const res = await inject(h, owner, 'GET', '/api/admin/exports/purchases.csv?q=0744000444');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/csv/);
    const lines = res.body.trim().split('\r\n');
    expect(lines[0]).toMatch(/^id,ref,created_at,status/);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(`"'=HYPERLINK(""x"")"`);
    const all = await inject(h, owner, 'GET', '/api/admin/exports/purchases.csv');
    const n = await rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM purchases`);
    expect(all.body.trim().split('\r\n')).toHaveLength(n[0]!.n + 1);
    const cust = await inject(h, owner, 'GET', '/api/admin/exports/customers.csv');
    expect(cust.body).toContain('254712345678');
  });

  it('serves an OpenAPI document naming every route and its roles, and a page without external requests', async () => {
    const doc = (await h.app.server!.inject('/api/docs/openapi.json')).json();
    expect(doc.openapi).toBe('3.1.0');
    for (const r of adminRoutes) {
      const op = doc.paths[r.path.replace(/:(\w+)/g, '{$1}')]?.[r.method.toLowerCase()];
      expect(op, `${r.method} ${r.path}`).toBeDefined();
    }
    expect(
      doc.paths['/api/admin/plans'].post.requestBody.content['application/json'].schema.properties.priceKes
        .type,
    ).toBe('integer');
    expect(doc.paths['/api/admin/staff'].get['x-roles']).toEqual(['owner']);
    const page = await h.app.server!.inject('/api/docs');
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.body).not.toMatch(/(src|href)="https?:/);
  });
});

describe('text PostgreSQL cannot store', () => {
  it('a NUL or a lone surrogate anywhere in admin input is a 400 naming the field; nothing is written', async () => {
    const audited = async () =>
      (await rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM audit_log`))[0]!.n;
    const before = await audited();
    const p = await seedPurchase({ at: '2026-02-15T08:00:00Z', status: 'paid' });
    const expect400 = async (res: Awaited<ReturnType<typeof inject>>, said: string) => {
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json().error.code).toBe('validation');
      expect(res.json().error.message).toContain(said);
    };
    for (const bad of ['a\u0000b', 'a\ud800b']) {
      await expect400(
        await inject(h, owner, 'POST', '/api/admin/plans', {
          name: `P ${bad}`,
          priceKes: 10,
          durationSeconds: 60,
        }),
        'name:',
      );
      await expect400(
        await inject(h, owner, 'POST', `/api/admin/codes/${p.codeId}/revoke`, { reason: bad }),
        'reason:',
      );
      await expect400(
        await inject(h, owner, 'PUT', '/api/admin/settings/branding', { name: bad, color: '#0a7d4f' }),
        'name:',
      );
      await expect400(
        await inject(h, owner, 'PATCH', '/api/admin/plans/1', { [`x${bad}`]: 1 }),
        'a field name',
      );
    }
    // In a URL only the NUL survives decoding (a lone surrogate cannot be percent-encoded).
    await expect400(await inject(h, owner, 'GET', '/api/admin/purchases?q=a%00b'), 'q:');
    await expect400(await inject(h, owner, 'GET', '/api/admin/codes?q=%00'), 'q:');
    await expect400(await inject(h, owner, 'GET', '/api/admin/audit?actor=boss%00'), 'actor:');
    expect(await audited()).toBe(before);
    const code = await rows<{ status: string }>(sql`SELECT status FROM access_codes WHERE id = ${p.codeId}`);
    expect(code[0]!.status).toBe('issued');
  });
});
