/**
 * The reconciliation report finds each kind of discrepancy, seeded on purpose, and its one-click
 * fix works: paid with no code, code with no grant, a router user not ours, a router user of an
 * expired code, a session with no code, a C2B payment with no purchase, an amount mismatch. A real
 * app (admin API over inject), a simulated MikroTik over its API, a moved clock.
 * PGlite and PostgreSQL (WAVU_TEST_DB=postgres).
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM } from '../../src/audit/index.ts';
import type { ReconciliationReport } from '../../src/admin/reconciliation/report.ts';
import { dailyReconciliation } from '../../src/admin/reconciliation/daily.ts';
import { query } from '../../src/db/open.ts';
import { pollRouterSessions } from '../../src/gateways/sessions/poll-router-sessions.ts';
import { recordCashSale } from '../../src/payments/index.ts';
import { receiveC2bConfirmation } from '../../src/payments/c2b.ts';
import { TEST_CALLBACK_SECRET } from '../helpers/app.ts';
import { freshReceipt, insertPendingStk, receiveStkBody, stkPaidBody } from '../helpers/stk.ts';
import { type Harness, harness } from '../gateways/helpers.ts';
import { freshPhone } from '../payments/helpers.ts';
import { adminHeaders } from './helpers.ts';

let h: Harness;
let headers: Record<string, string>;
beforeAll(async () => {
  h = await harness({ admin: true });
  headers = await adminHeaders(h.app, 'admin');
});
afterAll(async () => {
  await h?.close();
});

let macs = 0;
const nextMac = () => `A4:00:00:00:20:${(++macs).toString(16).padStart(2, '0').toUpperCase()}`;

async function report(date?: string): Promise<ReconciliationReport> {
  const r = await h.app.server!.inject({
    method: 'GET',
    url: `/api/admin/reports/reconciliation${date ? `?date=${date}` : ''}`,
    headers,
  });
  expect(r.statusCode, r.body).toBe(200);
  return r.json();
}

const find = (r: ReconciliationReport, kind: string, ref: string) =>
  r.discrepancies.find((d) => d.kind === kind && d.ref === ref);

async function fix(d: ReconciliationReport['discrepancies'][number]) {
  const { label: _label, ...body } = d.fix;
  const r = await h.app.server!.inject({
    method: 'POST',
    url: '/api/admin/reports/reconciliation/fix',
    headers,
    payload: body,
  });
  expect(r.statusCode, r.body).toBe(200);
  await h.drain();
}

async function sold() {
  const sale = await recordCashSale(h.app.deps, {
    planId: 1,
    phone: freshPhone(),
    mac: nextMac(),
    routerId: h.routerId,
    purpose: 'access',
    actor: SYSTEM,
  });
  await h.drain();
  return sale;
}

/** A pending STK push, then M-Pesa's success result for it (amount and payer as given). */
async function stkPaid(o: { amountKes: number; otherPhone?: boolean }) {
  const p = await insertPendingStk(h.app.deps.db, {
    planId: 1,
    phone: freshPhone(),
    amountKes: 20,
    at: h.clock.now(),
    routerId: h.routerId,
    mac: nextMac(),
  });
  const receipt = freshReceipt();
  const cb = await receiveStkBody(
    h.app.deps,
    stkPaidBody({
      checkout: p.checkout,
      amountKes: o.amountKes,
      receipt,
      phone: o.otherPhone ? freshPhone() : p.phone,
    }),
  );
  return { pid: p.id, receipt, outcome: cb.outcome, inboxId: cb.inboxId };
}

const audited = async (action: string) =>
  (
    await query<{ n: number }>(
      h.app.deps.db,
      sql`SELECT count(*)::int AS n FROM audit_log WHERE action = ${action}`,
    )
  )[0]!.n;

describe('reconciliation report', () => {
  it('a clean day has money and no discrepancies', async () => {
    await sold();
    const r = await report();
    expect(r.date).toBe('2026-03-02');
    expect(r.live).toBe(true);
    expect(r.money.find((m) => m.channel === 'cash')).toMatchObject({ payments: 1, kes: 20 });
    expect(r.routers).toEqual([{ router: 'r1', state: 'listed', users: 1, error: null }]);
    expect(r.discrepancies).toEqual([]);
  });

  it('paid with no code: M-Pesa says paid, nothing credited; "credit it" issues exactly one code', async () => {
    const p = await stkPaid({ amountKes: 20, otherPhone: true });
    expect(p.outcome).toBe('phone_mismatch');
    const d = find(await report(), 'paid_no_code', `inbox:${p.inboxId}`)!;
    expect(d.cause).toMatch(/another phone/);
    expect(d.fix).toMatchObject({ action: 'credit-payment', inboxId: p.inboxId });
    await fix(d);
    const [row] = await query<{ status: string; access_code_id: string | null; mpesa_receipt: string }>(
      h.app.deps.db,
      sql`SELECT status, access_code_id, mpesa_receipt FROM purchases WHERE id = ${p.pid}`,
    );
    expect(row).toMatchObject({ status: 'paid', mpesa_receipt: p.receipt });
    // The new code went to the router through the grant job, and the buyer was sent it.
    expect(await h.grantStatus(row!.access_code_id!)).toBe('granted');
    const sms = await query(h.app.deps.db, sql`SELECT 1 FROM sms_messages WHERE purchase_id = ${p.pid}`);
    expect(sms.length).toBe(1);
    expect(find(await report(), 'paid_no_code', `inbox:${p.inboxId}`)).toBeUndefined();
    expect(await audited('purchase.credit_received_payment')).toBe(1);
    // A second click is refused: one payment, one code.
    const again = await h.app.server!.inject({
      method: 'POST',
      url: '/api/admin/reports/reconciliation/fix',
      headers,
      payload: { action: 'credit-payment', inboxId: p.inboxId },
    });
    expect(again.statusCode).toBe(409);
    const codes = await query(h.app.deps.db, sql`SELECT 1 FROM access_codes WHERE purchase_id = ${p.pid}`);
    expect(codes.length).toBe(1);
  });

  it('code with no grant: found, and "send it again" puts it on the router', async () => {
    const sale = await sold();
    await h.app.deps.db.execute(sql`DELETE FROM access_grants WHERE access_code_id = ${sale.accessCodeId}`);
    h.sim.router.reset();
    const d = find(await report(), 'code_no_grant', sale.purchaseId)!;
    expect(d.cause).toMatch(/never sent to router r1/);
    await fix(d);
    expect(await h.grantStatus(sale.accessCodeId)).toBe('granted');
    expect(h.ourUsers().some((u) => u.comment === `wavu:${sale.accessCodeId}`)).toBe(true);
    expect(find(await report(), 'code_no_grant', sale.purchaseId)).toBeUndefined();
  });

  it('a router user not ours, and one of an expired code: found, and removed', async () => {
    h.sim.router.add('/ip/hotspot/user', { name: 'freeloader', password: 'x' });
    const ghost = randomUUID();
    h.sim.router.add('/ip/hotspot/user', { name: 'GHOST-CODE', password: 'x', comment: `wavu:${ghost}` });
    const sale = await sold();
    await h.app.deps.db.execute(
      sql`UPDATE access_codes SET status = 'expired', expired_at = ${h.clock.now()} WHERE id = ${sale.accessCodeId}`,
    );
    const r = await report();
    const foreign = find(r, 'router_user_foreign', `${h.routerId}:freeloader`)!;
    expect(foreign.cause).toMatch(/made on the router by hand/);
    expect(find(r, 'router_user_foreign', `${h.routerId}:GHOST-CODE`)!.cause).toMatch(/never issued/);
    const expired = find(r, 'router_user_expired', `${h.routerId}:${sale.code}`)!;
    expect(expired.cause).toMatch(/code is expired/);
    await fix(foreign);
    await fix(expired);
    const names = h.sim.router.list('/ip/hotspot/user').map((u) => u.name);
    expect(names).not.toContain('freeloader');
    expect(names).not.toContain(sale.code);
    expect(names).toContain('GHOST-CODE');
    expect(await audited('router.remove_user')).toBe(2);
    const after = await report();
    expect(find(after, 'router_user_foreign', `${h.routerId}:freeloader`)).toBeUndefined();
    expect(find(after, 'router_user_expired', `${h.routerId}:${sale.code}`)).toBeUndefined();
    await fix(find(after, 'router_user_foreign', `${h.routerId}:GHOST-CODE`)!);
  });

  it('a session with no code: found, and disconnected', async () => {
    h.sim.router.add('/ip/hotspot/user', { name: 'staff', password: 'pw' });
    const login = h.sim.router.login({
      user: 'staff',
      password: 'pw',
      ip: '10.5.50.77',
      mac: 'A4:00:00:00:77:01',
      by: 'http-pap',
    });
    expect(login.ok).toBe(true);
    await pollRouterSessions(h.app.deps, h.routerId);
    const r = await report();
    const d = r.discrepancies.find((x) => x.kind === 'session_no_code')!;
    expect(d.cause).toMatch(/A4:00:00:00:77:01.*no Wavu code/);
    await fix(d);
    expect(h.active().some((a) => a.user === 'staff')).toBe(false);
    expect((await report()).discrepancies.some((x) => x.kind === 'session_no_code')).toBe(false);
    await fix(find(await report(), 'router_user_foreign', `${h.routerId}:staff`)!);
  });

  it('a C2B payment with no purchase, and an amount mismatch: found, and marked handled', async () => {
    const transId = `UA${randomUUID().replace(/-/g, '').slice(0, 8).toUpperCase()}`;
    const c2b = {
      TransactionType: 'Pay Bill',
      TransID: transId,
      TransTime: '20260302110000',
      TransAmount: '37.00',
      BusinessShortCode: '600000',
      BillRefNumber: 'NOBODY',
      MSISDN: '2547 ***** 126',
      FirstName: 'JOHN',
    };
    const got = await receiveC2bConfirmation(h.app.deps, {
      secret: TEST_CALLBACK_SECRET,
      body: { json: c2b, text: JSON.stringify(c2b) } as never,
      remoteAddr: '127.0.0.1',
    });
    expect(got.outcome).toBe('unmatched');

    const cb = await stkPaid({ amountKes: 10 });
    expect(cb.outcome).toBe('amount_mismatch');

    const r = await report();
    const unmatched = r.discrepancies.find((d) => d.kind === 'c2b_no_purchase')!;
    expect(unmatched).toMatchObject({ amountKes: 37 });
    expect(unmatched.cause).toContain(transId);
    const mismatch = r.discrepancies.find((d) => d.kind === 'amount_mismatch')!;
    expect(mismatch.cause).toMatch(/KES 10 .* of KES 20/);
    await fix(unmatched);
    await fix(mismatch);
    const after = await report();
    expect(after.open).toBe(r.open - 2);
    expect(after.discrepancies.find((d) => d.kind === 'c2b_no_purchase')!.flagged).toMatchObject({
      by: expect.any(String),
    });
    expect(await audited('reconciliation.flag')).toBe(2);
  });

  it('CSV, past days, and a bad date is a 400 naming the field', async () => {
    const csv = await h.app.server!.inject({
      method: 'GET',
      url: '/api/admin/reports/reconciliation?date=2026-03-02&format=csv',
      headers,
    });
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    const lines = csv.body.trim().split('\r\n');
    expect(lines[0]).toBe('date,kind,ref,at,amount_kes,cause,fix,handled_by');
    expect(lines.some((l) => l.includes('c2b_no_purchase'))).toBe(true);
    // Another day: its money only; routers and sessions are today's to ask.
    const past = await report('2026-02-01');
    expect(past.live).toBe(false);
    expect(past.discrepancies).toEqual([]);
    for (const bad of ['2026-02-30', '02-03-2026', 'yesterday']) {
      const r = await h.app.server!.inject({
        method: 'GET',
        url: `/api/admin/reports/reconciliation?date=${bad}`,
        headers,
      });
      expect(r.statusCode, bad).toBe(400);
      expect(r.body).toContain('date');
    }
  });

  it('daily: texts the owner once a short summary of yesterday when something is wrong', async () => {
    const owner = freshPhone();
    const put = await h.app.server!.inject({
      method: 'PUT',
      url: '/api/admin/settings/alerts',
      headers: await adminHeaders(h.app, 'owner'),
      payload: { ...(await import('../../src/alerts/index.ts')).DEFAULT_ALERT_SETTINGS, phone: owner },
    });
    expect(put.statusCode, put.body).toBe(200);
    // Something wrong today: M-Pesa took money that credited nothing.
    expect((await stkPaid({ amountKes: 20, otherPhone: true })).outcome).toBe('phone_mismatch');
    // Next morning 05:00 EAT: too early.
    h.clock.set('2026-03-03T02:00:00Z');
    expect(await dailyReconciliation(h.app.deps)).toBeNull();
    h.clock.set('2026-03-03T04:00:00Z');
    const run = await dailyReconciliation(h.app.deps);
    expect(run).toMatchObject({ date: '2026-03-02', sms: true });
    expect(await dailyReconciliation(h.app.deps)).toBeNull();
    const sms = await query<{ body: string }>(
      h.app.deps.db,
      sql`SELECT body FROM sms_messages WHERE to_phone = ${owner}`,
    );
    expect(sms.length).toBe(1);
    expect(sms[0]!.body).toMatch(
      /^Wavu WiFi reconciliation 2026-03-02: \d+ to check \(.*\d+ paid no code.*\)\. Open Reports/,
    );
  });
});
