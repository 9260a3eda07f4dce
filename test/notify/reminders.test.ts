/**
 * Expiry reminders end to end: a plan with "remind N minutes before", a code whose clock starts
 * at first login (the SQL path), the worker's jobs run at moved clock times, and the text lands in
 * the SMS simulator's inbox. Plans, opt-outs and the customer's STOP reply go over real HTTP.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorizeCode, extendCode, revokeCode } from '../../src/access/index.ts';
import { remindExpiry } from '../../src/access/remind-expiry.ts';
import { type App, createApp } from '../../src/app/run.ts';
import { SYSTEM } from '../../src/audit/index.ts';
import { query } from '../../src/db/open.ts';
import { enqueue } from '../../src/jobs/enqueue.ts';
import { ManualClock } from '../../src/lib/clock.ts';
import { recordCashSale } from '../../src/payments/index.ts';
import { listPlans } from '../../src/plans/index.ts';
import { adminHeaders } from '../admin/helpers.ts';
import { silentLog, TEST_CALLBACK_SECRET, testConfig } from '../helpers/app.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { REMIND_JOB } from '../../src/access/job-kinds.ts';

const MIN = 60_000;
let t: TestDatabase;
let app: App;
let admin: Record<string, string>;
const clock = new ManualClock('2026-03-03T06:00:00Z');
let remindPlan: number;
let plainPlan: number;
let n = 0;
const freshPhone = () => `2547120${String(++n).padStart(5, '0')}`;

async function http(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${app.url}${path}`, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as any };
}

/** What the phone received, oldest first (the simulator's inbox, read over HTTP). */
async function inbox(phone: string): Promise<string[]> {
  const r = await http('GET', `/sim/sms/messages?to=${phone}`);
  return (r.json.messages as { body: string }[]).map((m) => m.body).reverse();
}

/** A cash sale to `phone` whose clock starts now, at first login; returns the code's id. */
async function startCode(phone: string, planId = remindPlan, lang?: 'sw'): Promise<string> {
  const sale = await recordCashSale(app.deps, { planId, phone, purpose: 'access', actor: SYSTEM });
  // The portal records the buyer's language on the purchase (payments tests cover that path).
  if (lang) await app.deps.db.execute(sql`UPDATE purchases SET lang = ${lang} WHERE id = ${sale.purchaseId}`);
  const d = await authorizeCode(app.deps, { code: sale.code });
  expect(d.ok).toBe(true);
  return sale.accessCodeId;
}

const drain = () => app.worker!.drain();

beforeAll(async () => {
  t = await createTestDatabase();
  app = await createApp({
    config: testConfig({ MPESA_SHORTCODE: '174379' }),
    roles: ['serve', 'worker'],
    log: silentLog(),
    clock,
    database: t.database,
    workerOptions: { pollMs: 60_000 },
  });
  await app.worker!.stop();
  admin = await adminHeaders(app);
  const plans = await listPlans(app.deps.db);
  remindPlan = plans.find((p) => p.name === '1 Hour')!.id;
  plainPlan = plans.find((p) => p.name === '3 Hours')!.id;
  const r = await http('PATCH', `/api/admin/plans/${remindPlan}`, { remindMinutes: 10 }, admin);
  expect(r.status).toBe(200);
  expect(r.json.remindMinutes).toBe(10);
});

afterAll(async () => {
  await app?.stop();
  await t?.drop();
});

describe('expiry reminders', () => {
  it('a plan refuses a reminder time out of range, naming the field', async () => {
    const r = await http('PATCH', `/api/admin/plans/${remindPlan}`, { remindMinutes: 0 }, admin);
    expect(r.status).toBe(400);
    expect(JSON.stringify(r.json)).toContain('remindMinutes');
    const plans = (await http('GET', '/api/admin/plans', undefined, admin)).json.items;
    expect(plans.find((p: { id: number }) => p.id === plainPlan).remindMinutes).toBeNull();
  });

  it('texts in English at expiry − N, not a moment before, with how to buy more', async () => {
    const phone = freshPhone();
    const start = clock.now().getTime();
    await startCode(phone);
    clock.set(start + 50 * MIN - 1000);
    await drain();
    expect(await inbox(phone)).toEqual([]);
    clock.set(start + 50 * MIN);
    await drain();
    const texts = await inbox(phone);
    expect(texts).toHaveLength(1);
    expect(texts[0]).toContain('your WiFi time ends in 10 min');
    expect(texts[0]).toContain('M-Pesa Paybill 174379');
    expect(texts[0]).toContain('/portal');
    expect(texts[0]).toContain('Reply STOP');
    clock.set(start + 70 * MIN);
    await drain();
    expect(await inbox(phone)).toHaveLength(1);
  });

  it('texts in Kiswahili when the customer bought in Kiswahili', async () => {
    const phone = freshPhone();
    const start = clock.now().getTime();
    await startCode(phone, remindPlan, 'sw');
    clock.set(start + 50 * MIN);
    await drain();
    const texts = await inbox(phone);
    expect(texts).toHaveLength(1);
    expect(texts[0]).toContain('unaisha baada ya dakika 10');
    expect(texts[0]).toContain('Jibu ACHA');
  });

  it('sends nothing for a plan without the option', async () => {
    const phone = freshPhone();
    const start = clock.now().getTime();
    const id = await startCode(phone, plainPlan);
    const jobs = await query(
      app.deps.db,
      sql`SELECT 1 FROM jobs WHERE kind = 'access.remind' AND payload->>'accessCodeId' = ${id}`,
    );
    expect(jobs).toHaveLength(0);
    clock.set(start + 3 * 60 * MIN - 5 * MIN);
    await drain();
    expect(await inbox(phone)).toEqual([]);
  });

  it('sends nothing after the customer replies STOP (a wrong secret changes nothing)', async () => {
    const a = freshPhone();
    const b = freshPhone();
    const start = clock.now().getTime();
    await startCode(a);
    await startCode(b);
    const form = (from: string, text: string) =>
      new URLSearchParams({ from: `+${from}`, to: '22384', text, date: '2026-03-03', id: 'x' }).toString();
    const post = (secret: string, from: string, text: string) =>
      fetch(`${app.url}/callbacks/sms/${secret}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: form(from, text),
      });
    expect((await post('wrong-secret', a, 'STOP')).status).toBe(200);
    expect((await post(TEST_CALLBACK_SECRET, b, 'hello')).status).toBe(200);
    const c = await http('GET', `/api/admin/customers/${a}`, undefined, admin);
    expect(c.json.remindersOff).toBe(false);
    expect((await post(TEST_CALLBACK_SECRET, a, ' acha tafadhali')).status).toBe(200);
    expect((await http('GET', `/api/admin/customers/${a}`, undefined, admin)).json.remindersOff).toBe(true);
    clock.set(start + 50 * MIN);
    await drain();
    expect(await inbox(a)).toEqual([]);
    expect(await inbox(b)).toHaveLength(1);
  });

  it('sends nothing when staff switch reminders off, and again once switched back on', async () => {
    const phone = freshPhone();
    let start = clock.now().getTime();
    await startCode(phone);
    const off = await http('PUT', `/api/admin/customers/${phone}/reminders`, { remindersOff: true }, admin);
    expect(off.status).toBe(200);
    const bad = await http('PUT', `/api/admin/customers/${phone}/reminders`, { remindersOff: 'yes' }, admin);
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.json)).toContain('remindersOff');
    const list = await http('GET', `/api/admin/customers?q=${phone}`, undefined, admin);
    expect(list.json.items[0].remindersOff).toBe(true);
    clock.set(start + 50 * MIN);
    await drain();
    expect(await inbox(phone)).toEqual([]);

    await http('PUT', `/api/admin/customers/${phone}/reminders`, { remindersOff: false }, admin);
    clock.set(start + 61 * MIN);
    await drain();
    start = clock.now().getTime();
    await startCode(phone);
    clock.set(start + 50 * MIN);
    await drain();
    expect(await inbox(phone)).toHaveLength(1);
  });

  it('an extension reschedules: nothing at the old time, one text before the new end', async () => {
    const phone = freshPhone();
    const start = clock.now().getTime();
    const id = await startCode(phone);
    clock.set(start + 20 * MIN);
    await extendCode(app.deps, { accessCodeId: id, minutes: 30, actor: SYSTEM });
    clock.set(start + 50 * MIN);
    await drain();
    expect(await inbox(phone)).toEqual([]);
    clock.set(start + 80 * MIN);
    await drain();
    const texts = await inbox(phone);
    expect(texts).toHaveLength(1);
    expect(texts[0]).toContain('ends in 10 min');
  });

  it('a revoked code gets no reminder', async () => {
    const phone = freshPhone();
    const start = clock.now().getTime();
    const id = await startCode(phone);
    await revokeCode(app.deps, { accessCodeId: id, actor: SYSTEM });
    clock.set(start + 50 * MIN);
    await drain();
    expect(await inbox(phone)).toEqual([]);
  });

  it('duplicate and concurrent jobs for one deadline send one text', async () => {
    const phone = freshPhone();
    const start = clock.now().getTime();
    const id = await startCode(phone);
    const [row] = await query<{ payload: { expiresAt: number } }>(
      app.deps.db,
      sql`SELECT payload FROM jobs WHERE kind = 'access.remind' AND payload->>'accessCodeId' = ${id}`,
    );
    const payload = { accessCodeId: id, expiresAt: Number(row!.payload.expiresAt) };
    expect(payload.expiresAt).toBe(start + 60 * MIN);
    // A second job for the same deadline (another node, a replay): no shared key.
    await enqueue(app.deps.db, clock, REMIND_JOB, payload, {
      runAt: new Date(start + 50 * MIN),
      key: `dup:${id}`,
    });
    clock.set(start + 50 * MIN);
    const both = await Promise.all([remindExpiry(app.deps, payload), remindExpiry(app.deps, payload)]);
    expect(both.sort()).toEqual(['already', 'sent']);
    await drain();
    expect(await inbox(phone)).toHaveLength(1);
  });
});
