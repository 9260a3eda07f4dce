/** The subscriber report on a real database: due, overdue, revenue per month and plan, churn. */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { query } from '../../src/db/open.ts';
import { type AdminHarness, adminHarness, inject, makeUser, sessionFor } from '../admin/helpers.ts';

let h: AdminHarness;
let ownerId: number;
const call = async (method: string, url: string, body?: unknown) =>
  inject(h, await sessionFor(h, ownerId), method, url, body);

beforeAll(async () => {
  h = await adminHarness(); // now: 2026-03-02 12:00 in Nairobi
  ownerId = (await makeUser(h, 'owner1', 'owner')).id;
  const add = async (username: string, plan: string, dueAt: string) => {
    const r = await call('POST', '/api/admin/subscribers', {
      username,
      password: 'abcd1234',
      site: 'X',
      plan,
      dueAt,
    });
    expect(r.statusCode, r.body).toBe(201);
    return r.json().id as number;
  };
  const a = await add('a1', 'Home 5 Mbps', '2026-03-05T09:00:00Z'); // due this week
  const b = await add('b1', 'Home 10 Mbps', '2026-02-20T09:00:00Z'); // overdue (and lapsed)
  await add('c1', 'Home 5 Mbps', '2026-04-20T09:00:00Z'); // neither
  const d = await add('d1', 'Home 10 Mbps', '2026-02-25T09:00:00Z');
  await call('POST', '/api/admin/subscribers/d1/close');
  await query(h.app.deps.db, sql`UPDATE subscribers SET state = 'expired' WHERE id = ${b}`);
  const pay = (id: number, kes: number, at: string) =>
    query(
      h.app.deps.db,
      sql`INSERT INTO subscriber_payments (subscriber_id, amount_kes, periods, balance_after_kes, due_before, due_after, created_at)
          VALUES (${id}, ${kes}, 1, 0, ${at}::timestamptz, ${at}::timestamptz, ${at}::timestamptz)`,
    );
  await pay(a, 1500, '2026-01-31T22:00:00Z'); // 1 February in Nairobi
  await pay(b, 2500, '2026-01-20T09:00:00Z');
  await pay(d, 2500, '2026-02-10T09:00:00Z');
});
afterAll(() => h.stop());

describe('subscriber report', () => {
  it('counts what is due and overdue, revenue per Kenyan month and per plan, and churn', async () => {
    const res = await call('GET', '/api/admin/subscribers/report');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({
      dueThisWeek: { subscribers: 1, amountKes: 1500 },
      overdue: { subscribers: 1, amountKes: 2500 },
      revenueByMonth: [
        { month: '2026-02', amountKes: 4000, payments: 2 },
        { month: '2026-01', amountKes: 2500, payments: 1 },
      ],
      revenueByPlan: [
        { plan: 'Home 5 Mbps', amountKes: 1500, payments: 1 },
        { plan: 'Home 10 Mbps', amountKes: 5000, payments: 2 },
      ],
      churnByMonth: [
        { month: '2026-03', closed: 1, lapsed: 0 },
        { month: '2026-02', closed: 0, lapsed: 1 },
      ],
    });
    expect((await call('GET', '/api/admin/subscribers/report?months=99')).statusCode).toBe(400);
  });
});
