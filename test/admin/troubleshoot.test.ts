/**
 * The troubleshooter names the right cause for each seeded failure: router down, user missing,
 * device limit, expired, callback lost, wrong amount; and says all is well when it is. A real
 * app (admin API over inject) with a simulated MikroTik in api mode and a moved clock.
 * PGlite and PostgreSQL (WAVU_TEST_DB=postgres).
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM } from '../../src/audit/index.ts';
import { query } from '../../src/db/open.ts';
import type { troubleshoot } from '../../src/admin/troubleshoot/troubleshoot.ts';
import { recordCashSale } from '../../src/payments/index.ts';
import { type Harness, harness } from '../gateways/helpers.ts';
import { freshReceipt, insertPendingStk, receiveStkBody, stkPaidBody } from '../helpers/stk.ts';
import { freshPhone } from '../payments/helpers.ts';
import { adminHeaders } from './helpers.ts';

let h: Harness;
let headers: Record<string, string>;
beforeAll(async () => {
  h = await harness({ admin: true });
  headers = await adminHeaders(h.app, 'cashier');
});
afterAll(async () => {
  await h?.close();
});

let macs = 0;
const nextMac = () => `A4:00:00:00:10:${(++macs).toString(16).padStart(2, '0').toUpperCase()}`;

/** A cash sale straight onto a device at the hotspot, put on the router by the grant job. */
async function sold(o: { grant?: boolean } = {}) {
  const phone = freshPhone();
  const mac = nextMac();
  const sale = await recordCashSale(h.app.deps, {
    planId: 1,
    phone,
    mac,
    routerId: h.routerId,
    purpose: 'access',
    actor: SYSTEM,
  });
  if (o.grant !== false) await h.drain();
  return { ...sale, phone, mac };
}

async function ask(q: string, mac?: string) {
  const r = await h.app.server!.inject({
    method: 'GET',
    url: `/api/admin/troubleshoot?q=${encodeURIComponent(q)}${mac ? `&mac=${encodeURIComponent(mac)}` : ''}`,
    headers,
  });
  expect(r.statusCode, r.body).toBe(200);
  return r.json() as Awaited<ReturnType<typeof troubleshoot>>;
}

/** A pending STK purchase as the portal leaves it after the push was accepted. */
async function pendingStk(o: { minutesAgo: number }) {
  return insertPendingStk(h.app.deps.db, {
    planId: 1,
    phone: freshPhone(),
    amountKes: 20,
    at: new Date(h.clock.now().getTime() - o.minutesAgo * 60_000),
    routerId: h.routerId,
    nextCheckAt: new Date(h.clock.now().getTime() + 20_000),
  });
}

describe('troubleshooter', () => {
  it('all well: paid, on the router, nothing to fix', async () => {
    const s = await sold();
    const r = await ask(s.phone);
    expect(r.as).toBe('phone');
    expect(r.cause).toBeNull();
    expect(r.purchaseId).toBe(s.purchaseId);
    expect(r.checks.map((c) => c.id)).toEqual([
      'payment',
      'code',
      'devices',
      'grants',
      'router',
      'router_user',
      'session',
    ]);
    expect(r.checks.find((c) => c.id === 'router_user')!.verdict).toBe('ok');
    // The same answer by the code the customer reads out, in any spelling.
    const byCode = await ask(s.code.toLowerCase());
    expect(byCode.as).toBe('code');
    expect(byCode.accessCodeId).toBe(s.accessCodeId);
    expect((await ask(s.mac.replace(/:/g, '-'))).accessCodeId).toBe(s.accessCodeId);
  });

  it('router down', async () => {
    const s = await sold();
    h.sim.setFault('down');
    try {
      const r = await ask(s.phone);
      expect(r.cause).toBe('router_down');
      const router = r.checks.find((c) => c.id === 'router')!;
      expect(router.verdict).toBe('problem');
      expect(router.fix).toMatch(/power and internet/);
      expect(r.checks.some((c) => c.id === 'router_user')).toBe(false);
    } finally {
      h.sim.setFault('none');
    }
  });

  it('user missing: the router lost the code (reset)', async () => {
    const s = await sold();
    h.sim.router.reset();
    const r = await ask(s.code);
    expect(r.cause).toBe('user_missing');
    const check = r.checks.find((c) => c.id === 'router_user')!;
    expect(check.action).toEqual({ kind: 'retry-grant', purchaseId: s.purchaseId });
    // The offered fix works: retry grant, then the router has it again.
    const retry = await h.app.server!.inject({
      method: 'POST',
      url: `/api/admin/purchases/${s.purchaseId}/retry-grant`,
      headers,
      payload: {},
    });
    expect(retry.statusCode, retry.body).toBe(200);
    await h.drain();
    expect((await ask(s.code)).cause).toBeNull();
  });

  it('device limit: the code is full and this is another device', async () => {
    const s = await sold();
    const [bound] = await query<{ n: number }>(
      h.app.deps.db,
      sql`SELECT count(*)::int AS n FROM access_devices WHERE access_code_id = ${s.accessCodeId}`,
    );
    expect(Number(bound?.n)).toBe(1);
    const laptop = 'A4:00:00:00:99:01';
    const r = await ask(s.code, laptop);
    expect(r.cause, JSON.stringify(r.checks)).toBe('device_limit');
    expect(r.summary).toContain(laptop);
    // The device that has the slot is fine.
    expect((await ask(s.code, s.mac)).cause).toBeNull();
  });

  it('expired plan', async () => {
    const s = await sold();
    const now = h.clock.now();
    await h.app.deps.db.execute(
      sql`UPDATE access_codes SET status = 'expired', activated_at = ${now}, expires_at = ${now}, expired_at = ${now}
          WHERE id = ${s.accessCodeId}`,
    );
    const r = await ask(s.phone);
    expect(r.cause).toBe('expired');
    expect(r.checks.at(-1)!.id).toBe('code');
    expect(r.summary).toMatch(/run out/);
  });

  it('callback lost: pushed minutes ago, M-Pesa never answered', async () => {
    const p = await pendingStk({ minutesAgo: 5 });
    const r = await ask(p.phone);
    expect(r.cause).toBe('callback_lost');
    expect(r.checks[0]!.fix).toMatch(/receipt/);
    // A push of a few seconds ago is not lost yet: the customer may still be typing the PIN.
    const fresh = await pendingStk({ minutesAgo: 0 });
    const rf = await ask(fresh.phone);
    expect(rf.cause).toBeNull();
    expect(rf.checks[0]!.verdict).toBe('info');
  });

  it('wrong amount: the callback says the customer paid less than the plan costs', async () => {
    const p = await pendingStk({ minutesAgo: 1 });
    const receipt = freshReceipt();
    const got = await receiveStkBody(
      h.app.deps,
      stkPaidBody({
        checkout: p.checkout,
        amountKes: 10,
        receipt,
        phone: p.phone,
        transactionDate: 20260302080000,
      }),
    );
    expect(got.outcome).toBe('amount_mismatch');
    // Found by the receipt the customer shows, though it credited nothing.
    const r = await ask(receipt);
    expect(r.as).toBe('receipt');
    expect(r.cause).toBe('wrong_amount');
    expect(r.summary).toContain('KES 10');
    expect(r.summary).toContain('KES 20');
  });

  it('a private Wi-Fi address is pointed out', async () => {
    const s = await sold();
    const random = '06:11:22:33:44:55';
    const r = await ask(s.code, random);
    const check = r.checks.find((c) => c.id === 'random_mac');
    expect(r.cause).toBe('device_limit');
    expect(check?.verdict).toBe('warning');
  });

  it('nothing found, and bad input, are clear answers', async () => {
    const r = await ask('254700000001');
    expect(r.cause).toBe('not_found');
    expect(r.checks).toEqual([]);
    const bad = await h.app.server!.inject({ method: 'GET', url: '/api/admin/troubleshoot?q=', headers });
    expect(bad.statusCode, bad.body).toBe(400);
    const badMac = await h.app.server!.inject({
      method: 'GET',
      url: '/api/admin/troubleshoot?q=x&mac=nope',
      headers,
    });
    expect(badMac.statusCode, badMac.body).toBe(400);
  });
});

describe('troubleshooter actions', () => {
  const post = (url: string, payload: unknown) =>
    h.app.server!.inject({ method: 'POST', url, headers, payload: payload as Record<string, unknown> });
  const codeRow = async (id: string) =>
    (
      await query<{ expires_at: string; duration_seconds: number }>(
        h.app.deps.db,
        sql`SELECT expires_at, duration_seconds FROM access_codes WHERE id = ${id}`,
      )
    )[0]!;
  const auditOf = (id: string, action: string) =>
    query<{ detail: unknown; actor_id: number | null }>(
      h.app.deps.db,
      sql`SELECT detail, actor_id FROM audit_log WHERE entity_id = ${id} AND action = ${action}`,
    );

  it('router down offers "give minutes back"; extending moves the end, tells the router, and is audited', async () => {
    const s = await sold();
    h.sim.setFault('down');
    let r: Awaited<ReturnType<typeof ask>>;
    try {
      r = await ask(s.phone);
    } finally {
      h.sim.setFault('none');
    }
    const router = r.checks.find((c) => c.id === 'router')!;
    expect(router.action).toEqual({ kind: 'extend', accessCodeId: s.accessCodeId });
    const before = await codeRow(s.accessCodeId);
    const res = await post(`/api/admin/codes/${s.accessCodeId}/extend`, { minutes: 30, reason: 'outage' });
    expect(res.statusCode, res.body).toBe(200);
    const after = await codeRow(s.accessCodeId);
    expect(new Date(after.expires_at).getTime() - new Date(before.expires_at).getTime()).toBe(30 * 60_000);
    expect(Number(after.duration_seconds) - Number(before.duration_seconds)).toBe(30 * 60);
    expect(res.json().expiresAt).toBe(new Date(after.expires_at).toISOString());
    const audited = await auditOf(s.accessCodeId, 'access.extend');
    expect(audited).toHaveLength(1);
    expect(audited[0]!.actor_id).not.toBeNull();
    // The router's copy learns the new remaining time, and the old deadline no longer ends it.
    await h.drain();
    expect((await h.jobs('gateway.grant')).filter((j) => j.status === 'done').length).toBeGreaterThan(0);
    h.clock.advance(61 * 60_000);
    await h.drain();
    expect((await ask(s.code)).cause).toBeNull();
    h.clock.advance(30 * 60_000);
    await h.drain();
    expect((await ask(s.code)).cause).toBe('expired');
  });

  it('extending refuses bad minutes (400, naming the field) and a code that ran out (409)', async () => {
    const s = await sold();
    for (const minutes of [0, 1.5, 100_000, 'ten']) {
      const bad = await post(`/api/admin/codes/${s.accessCodeId}/extend`, { minutes });
      expect(bad.statusCode, bad.body).toBe(400);
      expect(bad.json().error.message).toMatch(/minutes/);
    }
    const now = h.clock.now();
    await h.app.deps.db.execute(
      sql`UPDATE access_codes SET status = 'expired', expired_at = ${now} WHERE id = ${s.accessCodeId}`,
    );
    const gone = await post(`/api/admin/codes/${s.accessCodeId}/extend`, { minutes: 10 });
    expect(gone.statusCode, gone.body).toBe(409);
    expect(gone.json().error.message).toMatch(/new package/);
    expect(await auditOf(s.accessCodeId, 'access.extend')).toEqual([]);
  });

  it('device limit offers "free a slot"; freeing it lets the new device in, and is audited', async () => {
    const s = await sold();
    const laptop = 'A4:00:00:00:99:02';
    const r = await ask(s.code, laptop);
    expect(r.cause).toBe('device_limit');
    const devices = r.checks.find((c) => c.id === 'devices')!;
    expect(devices.action).toEqual({ kind: 'free-device', accessCodeId: s.accessCodeId, macs: [s.mac] });
    const res = await post(`/api/admin/codes/${s.accessCodeId}/free-device`, { mac: s.mac.toLowerCase() });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ mac: s.mac, devicesLeft: 0 });
    expect((await auditOf(s.accessCodeId, 'access.free-device'))[0]!.detail).toMatchObject({ mac: s.mac });
    await h.drain();
    expect((await h.jobs('gateway.release-device')).map((j) => j.status)).toEqual(['done']);
    expect((await ask(s.code, laptop)).cause).toBeNull();
    // Once only: the device is no longer on the code.
    const again = await post(`/api/admin/codes/${s.accessCodeId}/free-device`, { mac: s.mac });
    expect(again.statusCode, again.body).toBe(404);
    const bad = await post(`/api/admin/codes/${s.accessCodeId}/free-device`, { mac: 'nope' });
    expect(bad.statusCode, bad.body).toBe(400);
    expect(bad.json().error.message).toMatch(/mac/);
  });
});
