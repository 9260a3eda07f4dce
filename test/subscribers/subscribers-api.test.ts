/**
 * Subscribers and service plans through the admin API on a real database: each use case's
 * change, its subscriber.sync job and its audit row, and the clear 4xx for bad input.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { query } from '../../src/db/open.ts';
import { type AdminHarness, adminHarness, inject, makeUser, sessionFor } from '../admin/helpers.ts';

let h: AdminHarness;
let ownerId: number;
let cashierId: number;
// A fresh session per call: the tests move the clock by weeks, past any session's idle limit.
const as = async (id: number, method: string, url: string, body?: unknown) =>
  inject(h, await sessionFor(h, id), method, url, body);
const call = (method: string, url: string, body?: unknown) => as(ownerId, method, url, body);

const syncJobs = async (subscriberId: number) =>
  (
    await query<{ n: number }>(
      h.app.deps.db,
      sql`SELECT count(*)::int AS n FROM jobs WHERE kind = 'subscriber.sync'
            AND (payload->>'subscriberId')::int = ${subscriberId}`,
    )
  )[0]!.n;
const auditRows = (action: string, id: number) =>
  query<{ detail: unknown; actor: string }>(
    h.app.deps.db,
    sql`SELECT detail, actor FROM audit_log WHERE action = ${action} AND entity_id = ${String(id)} ORDER BY id`,
  );

beforeAll(async () => {
  h = await adminHarness();
  ownerId = (await makeUser(h, 'owner1', 'owner')).id;
  cashierId = (await makeUser(h, 'cashier1', 'cashier')).id;
  const r = await call('POST', '/api/admin/routers', {
    name: 'kilimani',
    mode: 'radius',
    site: 'Kilimani',
    address: '10.0.0.2',
  });
  expect(r.statusCode, r.body).toBe(201);
});
afterAll(() => h.stop());

describe('adding subscribers', () => {
  it('generates an account number, seals the password, takes the default plan and is due at once', async () => {
    const res = await as(cashierId, 'POST', '/api/admin/subscribers', {
      username: 'jane.k',
      password: 's3cret-pw',
      phone: '0712 345 678',
      name: 'Jane Kamau',
      router: 'kilimani',
    });
    expect(res.statusCode, res.body).toBe(201);
    const s = res.json();
    expect(s.accountNo).toMatch(/^W\d{6,}$/);
    expect(s).toMatchObject({
      username: 'jane.k',
      phone: '254712345678',
      planName: 'Home 5 Mbps',
      routerName: 'kilimani',
      site: 'Kilimani',
      state: 'active',
      dueAt: '2026-03-02T09:00:00.000Z',
      graceEndsAt: '2026-03-05T09:00:00.000Z',
      amountDueKes: 1500,
    });
    expect(res.body).not.toContain('s3cret-pw');
    const [row] = await query<{ password_sealed: string }>(
      h.app.deps.db,
      sql`SELECT password_sealed FROM subscribers WHERE id = ${s.id}`,
    );
    expect(row!.password_sealed).not.toContain('s3cret');
    expect(h.app.deps.sealer.unseal(row!.password_sealed)).toBe('s3cret-pw');
    expect(await syncJobs(s.id)).toBe(1);
    const audits = await auditRows('subscriber.create', s.id);
    expect(audits).toHaveLength(1);
    expect(audits[0]!.actor).toBe('cashier1');
    expect(JSON.stringify(audits[0]!.detail)).not.toContain('s3cret');
  });

  it('takes a named plan, a site without a router, and a first due date for someone already paid', async () => {
    const res = await call('POST', '/api/admin/subscribers', {
      username: 'biz01',
      password: 'pass-1234',
      plan: 'business 20 mbps',
      site: 'Westlands',
      dueAt: '2026-03-20',
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({
      planName: 'Business 20 Mbps',
      routerId: null,
      site: 'Westlands',
      dueAt: '2026-03-19T21:00:00.000Z',
      amountDueKes: 0,
    });
    // Account numbers follow one sequence.
    const list = (await call('GET', '/api/admin/subscribers')).json();
    const numbers = list.items.map((i: { accountNo: string }) => Number(i.accountNo.slice(1))).sort();
    expect(numbers[1]).toBe(numbers[0] + 1);
  });

  it('refuses bad input with a 4xx that names the problem', async () => {
    const cases: [unknown, number, RegExp][] = [
      [
        { username: 'Jane.K', password: 'abcd1234', router: 'kilimani' },
        409,
        /already a subscriber.*Jane\.K/,
      ],
      [
        { username: 'new1', password: 'abcd1234', router: 'nowhere' },
        400,
        /router: There is no router "nowhere"/,
      ],
      [
        { username: 'new1', password: 'abcd1234', router: 'kilimani', plan: 'Gold' },
        400,
        /no service plan "Gold"/,
      ],
      [{ username: 'new1', password: 'abcd1234' }, 400, /Say which router/],
      [
        { username: 'new1', password: 'abcd1234', site: 'X', phone: '12345' },
        400,
        /phone: Enter a Kenyan mobile/,
      ],
      [{ username: 'bad name', password: 'abcd1234', site: 'X' }, 400, /username:/],
      [{ username: 'new1', password: 'a b', site: 'X' }, 400, /password:/],
      [
        { username: 'new1', password: 'abcd1234', site: 'X', staticIp: '10.0.0.300' },
        400,
        /staticIp: An IPv4/,
      ],
      [{ username: 'new1', password: 'abcd1234', site: 'X', dueAt: 'tomorrow' }, 400, /dueAt:/],
    ];
    for (const [body, status, message] of cases) {
      const res = await call('POST', '/api/admin/subscribers', body);
      expect(res.statusCode, res.body).toBe(status);
      expect(res.json().error.message).toMatch(message);
    }
  });
});

describe('changing subscribers', () => {
  it('edits details; a password change syncs the router and is audited without the password', async () => {
    const s = (await call('GET', '/api/admin/subscribers/jane.k')).json().subscriber;
    const before = await syncJobs(s.id);
    const renamed = await call('PATCH', `/api/admin/subscribers/${s.accountNo}`, { name: 'Jane W. Kamau' });
    expect(renamed.statusCode, renamed.body).toBe(200);
    expect(renamed.json().name).toBe('Jane W. Kamau');
    expect(await syncJobs(s.id)).toBe(before); // a name is nothing the router holds
    const pw = await call('PATCH', `/api/admin/subscribers/${s.accountNo.toLowerCase()}`, {
      password: 'n3w-pass',
    });
    expect(pw.statusCode, pw.body).toBe(200);
    expect(await syncJobs(s.id)).toBe(before + 1);
    const audits = await auditRows('subscriber.update', s.id);
    expect(audits).toHaveLength(2);
    expect(JSON.stringify(audits[1]!.detail)).not.toContain('n3w-pass');
    const bad = await call('PATCH', `/api/admin/subscribers/${s.accountNo}`, { router: null, site: null });
    expect(bad.statusCode).toBe(400);
    expect((await call('PATCH', '/api/admin/subscribers/W999999', { name: 'x' })).statusCode).toBe(404);
  });

  it('suspends and resumes, back to active before due + grace and to expired after', async () => {
    const s = (await call('GET', '/api/admin/subscribers/jane.k')).json().subscriber;
    const jobs = await syncJobs(s.id);
    const sus = await call('POST', `/api/admin/subscribers/${s.accountNo}/suspend`, {
      reason: 'asked to pause',
    });
    expect(sus.statusCode, sus.body).toBe(200);
    expect(sus.json().state).toBe('suspended');
    expect((await call('POST', `/api/admin/subscribers/${s.accountNo}/suspend`)).statusCode).toBe(409);
    const cashierTry = await as(cashierId, 'POST', `/api/admin/subscribers/${s.accountNo}/resume`);
    expect(cashierTry.statusCode).toBe(403);
    const res = await call('POST', `/api/admin/subscribers/${s.accountNo}/resume`);
    expect(res.json().state).toBe('active');
    expect((await call('POST', `/api/admin/subscribers/${s.accountNo}/resume`)).statusCode).toBe(409);
    await call('POST', `/api/admin/subscribers/${s.accountNo}/suspend`);
    h.clock.set('2026-03-05T09:00:00Z'); // due 2 March + 3 days' grace
    expect((await call('POST', `/api/admin/subscribers/${s.accountNo}/resume`)).json().state).toBe('expired');
    h.clock.set('2026-03-02T09:00:00Z');
    expect(await syncJobs(s.id)).toBe(jobs + 4);
    const audits = await auditRows('subscriber.suspend', s.id);
    expect(audits[0]!.detail).toMatchObject({ from: 'active', to: 'suspended', reason: 'asked to pause' });
  });

  it('resends a subscriber to the router: one more subscriber.sync, audited, nothing else changed', async () => {
    const before = (await call('GET', '/api/admin/subscribers/jane.k')).json().subscriber;
    const jobs = await syncJobs(before.id);
    const cashierTry = await as(cashierId, 'POST', `/api/admin/subscribers/${before.accountNo}/resend`);
    expect(cashierTry.statusCode).toBe(403);
    expect(await syncJobs(before.id)).toBe(jobs);
    const res = await call('POST', `/api/admin/subscribers/${before.accountNo}/resend`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      accountNo: before.accountNo,
      state: before.state,
      dueAt: before.dueAt,
    });
    expect(await syncJobs(before.id)).toBe(jobs + 1);
    expect((await call('POST', '/api/admin/subscribers/jane.k/resend')).statusCode).toBe(200);
    expect(await syncJobs(before.id)).toBe(jobs + 2);
    const audits = await auditRows('subscriber.resend', before.id);
    expect(audits).toHaveLength(2);
    expect(audits[0]!.detail).toMatchObject({ accountNo: before.accountNo });
    expect((await call('POST', '/api/admin/subscribers/W999999/resend')).statusCode).toBe(404);
  });

  it('states the prorated cost of a plan change before doing it, then records it', async () => {
    h.clock.set('2026-05-02T09:00:00Z');
    const made = await call('POST', '/api/admin/subscribers', {
      username: 'upgrader',
      password: 'abcd1234',
      router: 'kilimani',
      dueAt: '2026-05-14T09:00:00Z', // the period is 14 April to 14 May: 30 days, 12 left
    });
    const s = made.json();
    const preview = await call(
      'GET',
      `/api/admin/subscribers/${s.accountNo}/plan-change?plan=Home%2010%20Mbps`,
    );
    expect(preview.statusCode, preview.body).toBe(200);
    expect(preview.json()).toMatchObject({
      text: 'Moving from Home 5 Mbps to Home 10 Mbps with 12 of 30 days left: KES 400 due now.',
      differenceKes: 400,
      owedAfterKes: 400,
    });
    const jobs = await syncJobs(s.id);
    const up = await call('POST', `/api/admin/subscribers/${s.accountNo}/plan`, { plan: 'Home 10 Mbps' });
    expect(up.statusCode, up.body).toBe(200);
    expect(up.json().subscriber).toMatchObject({ planName: 'Home 10 Mbps', owedKes: 400, amountDueKes: 400 });
    expect(await syncJobs(s.id)).toBe(jobs + 1);
    expect((await auditRows('subscriber.change-plan', s.id))[0]!.detail).toMatchObject({
      from: 'Home 5 Mbps',
      to: 'Home 10 Mbps',
      differenceKes: 400,
    });
    // Back down the same day: the credit clears what was owed.
    const down = await call('POST', `/api/admin/subscribers/${s.accountNo}/plan`, { plan: 'Home 5 Mbps' });
    expect(down.json().quote.text).toBe(
      'Moving from Home 10 Mbps to Home 5 Mbps with 12 of 30 days left: KES 400 credited to the balance.',
    );
    expect(down.json().subscriber).toMatchObject({ owedKes: 0, balanceKes: 0 });
    const same = await call('POST', `/api/admin/subscribers/${s.accountNo}/plan`, { plan: 'Home 5 Mbps' });
    expect(same.statusCode).toBe(409);
    const none = await call('POST', `/api/admin/subscribers/${s.accountNo}/plan`, { plan: 'Platinum' });
    expect(none.statusCode).toBe(400);
    // At or past the due date there is nothing left of the period to settle.
    h.clock.set('2026-05-15T09:00:00Z');
    expect(
      (await call('GET', `/api/admin/subscribers/${s.accountNo}/plan-change?plan=Home%2010%20Mbps`)).json()
        .text,
    ).toBe(
      'Moving from Home 5 Mbps to Home 10 Mbps at the due date: nothing to settle now; the next payment is KES 2,500 a month.',
    );
    h.clock.set('2026-03-02T09:00:00Z');
  });

  it('closes an account for good', async () => {
    const s = (await call('GET', '/api/admin/subscribers/biz01')).json().subscriber;
    expect((await call('POST', `/api/admin/subscribers/${s.accountNo}/close`)).json().state).toBe(
      'disconnected',
    );
    expect((await call('POST', `/api/admin/subscribers/${s.accountNo}/resume`)).statusCode).toBe(409);
    expect((await call('POST', `/api/admin/subscribers/${s.accountNo}/suspend`)).statusCode).toBe(409);
    expect(
      (await call('POST', `/api/admin/subscribers/${s.accountNo}/plan`, { plan: 'Home 5 Mbps' })).statusCode,
    ).toBe(409);
  });
});

describe('finding subscribers', () => {
  it('filters by state, due this week, overdue, router and text', async () => {
    const names = async (qs: string) =>
      (await call('GET', `/api/admin/subscribers?${qs}`))
        .json()
        .items.map((i: { username: string }) => i.username)
        .sort();
    expect(await names('state=expired')).toEqual(['jane.k']);
    expect(await names('state=disconnected')).toEqual(['biz01']);
    // Now is 2 March: jane.k was due at 09:00 today (overdue from this instant? no: due now is not past).
    h.clock.set('2026-03-02T10:00:00Z');
    expect(await names('due=overdue')).toEqual(['jane.k']);
    h.clock.set('2026-05-08T09:00:00Z');
    expect(await names('due=week')).toEqual(['upgrader']);
    h.clock.set('2026-03-02T09:00:00Z');
    const routerId = (await call('GET', '/api/admin/subscribers/jane.k')).json().subscriber.routerId;
    expect(await names(`router=${routerId}`)).toEqual(['jane.k', 'upgrader']);
    expect(await names('q=kamau')).toEqual(['jane.k']);
    expect(await names('q=0712')).toEqual([]); // phones are stored as 2547…
    expect(await names('q=254712')).toEqual(['jane.k']);
    expect((await call('GET', '/api/admin/subscribers?state=gone')).statusCode).toBe(400);
    const page = (await call('GET', '/api/admin/subscribers?limit=2')).json();
    expect(page.items).toHaveLength(2);
    const next = (await call('GET', `/api/admin/subscribers?limit=2&cursor=${page.nextCursor}`)).json();
    expect(next.items).toHaveLength(1);
    expect(next.nextCursor).toBeNull();
  });

  it('shows a subscriber with their payments and sessions', async () => {
    const s = (await call('GET', '/api/admin/subscribers/upgrader')).json().subscriber;
    await query(
      h.app.deps.db,
      sql`INSERT INTO subscriber_payments (subscriber_id, amount_kes, periods, balance_after_kes, due_before, due_after, created_at)
          VALUES (${s.id}, 1500, 1, 0, '2026-04-14T09:00:00Z', '2026-05-14T09:00:00Z', '2026-04-14T10:00:00Z')`,
    );
    await query(
      h.app.deps.db,
      sql`INSERT INTO ppp_sessions (subscriber_id, router_id, session_key, framed_ip, bytes_in, bytes_out, started_at)
          VALUES (${s.id}, ${s.routerId}, '81a00001', '10.20.0.15', 1000, 5000, '2026-04-14T11:00:00Z')`,
    );
    const d = (await call('GET', `/api/admin/subscribers/${s.accountNo}`)).json();
    expect(d.payments).toEqual([
      expect.objectContaining({ amountKes: 1500, periods: 1, dueAfter: '2026-05-14T09:00:00.000Z' }),
    ]);
    expect(d.sessions).toEqual([
      expect.objectContaining({ framedIp: '10.20.0.15', bytesIn: 1000, bytesOut: 5000, stoppedAt: null }),
    ]);
    expect((await call('GET', '/api/admin/subscribers/nobody')).statusCode).toBe(404);
  });
});

describe('service plans', () => {
  it('adds, changes, retires and deletes plans; the first active one is the default', async () => {
    const list = (await call('GET', '/api/admin/service-plans')).json().items;
    expect(list.map((p: { name: string }) => p.name)).toEqual([
      'Home 5 Mbps',
      'Home 10 Mbps',
      'Business 20 Mbps',
      'Weekly 5 Mbps',
    ]);
    const made = await call('POST', '/api/admin/service-plans', {
      name: 'Student 3 Mbps',
      priceKes: 999,
      rateUpKbps: 3072,
      rateDownKbps: 3072,
      sortOrder: 50,
    });
    expect(made.statusCode, made.body).toBe(201);
    expect(made.json()).toMatchObject({ period: 'month', graceDays: 3, active: true });
    const dup = await call('POST', '/api/admin/service-plans', {
      name: 'Student 3 Mbps',
      priceKes: 5,
      rateUpKbps: 1,
      rateDownKbps: 1,
    });
    expect(dup.statusCode).toBe(409);
    const half = await call('PATCH', `/api/admin/service-plans/${made.json().id}`, { fairUseUpKbps: 1024 });
    expect(half.statusCode).toBe(400);
    expect(half.json().error.message).toMatch(/both fair-use rates/);
    expect((await call('POST', '/api/admin/service-plans', { name: 'X', priceKes: 0 })).statusCode).toBe(400);
    expect((await call('PATCH', '/api/admin/service-plans/999999', { priceKes: 5 })).statusCode).toBe(404);

    // A new rate reaches every subscriber on the plan at once.
    const home5 = list[0];
    const jane = (await call('GET', '/api/admin/subscribers/jane.k')).json().subscriber;
    const before = await syncJobs(jane.id);
    const faster = await call('PATCH', `/api/admin/service-plans/${home5.id}`, { rateDownKbps: 6144 });
    expect(faster.statusCode, faster.body).toBe(200);
    expect(await syncJobs(jane.id)).toBe(before + 1);
    await call('PATCH', `/api/admin/service-plans/${home5.id}`, { priceKes: 1600 });
    expect(await syncJobs(jane.id)).toBe(before + 1); // a price waits for the next payment

    expect((await call('DELETE', `/api/admin/service-plans/${home5.id}`)).json()).toEqual({
      deleted: false,
      retired: true,
    });
    expect((await call('DELETE', `/api/admin/service-plans/${made.json().id}`)).json()).toEqual({
      deleted: true,
      retired: false,
    });
    const next = await call('POST', '/api/admin/subscribers', {
      username: 'after',
      password: 'abcd1234',
      site: 'X',
    });
    expect(next.json().planName).toBe('Home 10 Mbps');
    const retired = await call('POST', '/api/admin/subscribers', {
      username: 'after2',
      password: 'abcd1234',
      site: 'X',
      plan: 'Home 5 Mbps',
    });
    expect(retired.statusCode, retired.body).toBe(201); // staff may still place someone on it by name
  });
});
