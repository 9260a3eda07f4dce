/**
 * The operator tools on PPPoE subscribers. The troubleshooter, asked with an account number, a
 * PPPoE username or a phone, walks the subscriber's payments, account state, what the router was
 * told and the live session. The reconciliation report finds a paid subscription with no ledger
 * row (and credits it once) and an active subscriber past due + grace (and expires them), and does
 * not take a subscription payment for "paid with no code". A real app (admin API over inject), a
 * moved clock. PGlite and PostgreSQL (WAVU_TEST_DB=postgres).
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReconciliationReport } from '../../src/admin/reconciliation/report.ts';
import type { troubleshoot } from '../../src/admin/troubleshoot/troubleshoot.ts';
import { query } from '../../src/db/open.ts';
import { DAY_MS } from '../../src/lib/eat-time.ts';
import { type Harness, harness } from '../gateways/helpers.ts';
import { freshReceipt, receiveStkBody, stkPaidBody } from '../helpers/stk.ts';
import {
  insertPendingSubscriptionStk,
  insertSubscriber,
  ledgerOf,
  subscriberRow,
  syncJobsFor,
} from '../helpers/subscriber-rows.ts';
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

let accounts = 0;
const nextAccount = () => `W${700000 + ++accounts}`;
const daysFromNow = (d: number) => new Date(h.clock.now().getTime() + d * DAY_MS);

async function ask(q: string) {
  const r = await h.app.server!.inject({
    method: 'GET',
    url: `/api/admin/troubleshoot?q=${encodeURIComponent(q)}`,
    headers,
  });
  expect(r.statusCode, r.body).toBe(200);
  return r.json() as Awaited<ReturnType<typeof troubleshoot>>;
}

async function report(): Promise<ReconciliationReport> {
  const r = await h.app.server!.inject({ method: 'GET', url: '/api/admin/reports/reconciliation', headers });
  expect(r.statusCode, r.body).toBe(200);
  return r.json();
}

async function fix(d: ReconciliationReport['discrepancies'][number]) {
  const { label: _label, ...body } = d.fix;
  const r = await h.app.server!.inject({
    method: 'POST',
    url: '/api/admin/reports/reconciliation/fix',
    headers,
    payload: body,
  });
  expect(r.statusCode, r.body).toBe(200);
  return r.json() as { done: string };
}

/** A subscription purchase marked paid without going through the credit path (a hand edit). */
async function paidWithoutLedger(subscriberId: number, amountKes: number) {
  const p = await insertPendingSubscriptionStk(h.app.deps.db, {
    subscriberId,
    phone: freshPhone(),
    amountKes,
    at: h.clock.now(),
  });
  await h.app.deps.db.execute(
    sql`UPDATE purchases SET status = 'paid', paid_at = ${h.clock.now()}, mpesa_receipt = ${freshReceipt()}
        WHERE id = ${p.id}`,
  );
  return p;
}

const check = (r: Awaited<ReturnType<typeof ask>>, id: string) => r.checks.find((c) => c.id === id);

describe('troubleshooter: PPPoE subscribers', () => {
  it('expired, by account number (any case): says how to pay, with the pay page and the Paybill', async () => {
    const acc = nextAccount();
    const id = await insertSubscriber(h.app.deps.db, {
      accountNo: acc,
      dueAt: daysFromNow(-10),
      state: 'expired',
    });
    const r = await ask(` ${acc.toLowerCase()} `);
    expect(r.as).toBe('subscriber');
    expect(r.subscriberId).toBe(id);
    expect(r.cause).toBe('subscriber_expired');
    const account = check(r, 'subscriber')!;
    expect(account.verdict).toBe('problem');
    expect(account.fix).toContain(`/pay?account=${acc}`);
    expect(account.fix).toMatch(new RegExp(`Paybill \\d+ account ${acc}`));
    expect(r.checks.map((c) => c.id)).toEqual(['ledger', 'subscriber', 'router_sync', 'ppp_session']);
  });

  it('suspended, by PPPoE username: says to resume it', async () => {
    const acc = nextAccount();
    await insertSubscriber(h.app.deps.db, { accountNo: acc, dueAt: daysFromNow(10), state: 'suspended' });
    const r = await ask(`u${acc.toLowerCase()}`);
    expect(r.cause).toBe('subscriber_suspended');
    expect(check(r, 'subscriber')!.fix).toMatch(/resume it/);
  });

  it('a paid subscription that never reached the ledger is the cause, before the expired state', async () => {
    const acc = nextAccount();
    const id = await insertSubscriber(h.app.deps.db, {
      accountNo: acc,
      dueAt: daysFromNow(-10),
      state: 'expired',
    });
    const p = await paidWithoutLedger(id, 1500);
    const r = await ask(acc);
    expect(r.cause).toBe('payment_not_credited');
    expect(check(r, 'ledger')!.evidence.join(' ')).toContain(p.ref);
    expect(check(r, 'subscriber')!.verdict).toBe('problem');
  });

  it('by phone: online, but the router update died; the error is shown; throttled past the cap', async () => {
    const acc = nextAccount();
    const phone = freshPhone();
    const id = await insertSubscriber(h.app.deps.db, {
      accountNo: acc,
      phone,
      dueAt: daysFromNow(20),
      plan: 'Business 20 Mbps',
      throttled: true,
      periodBytes: 600_000_000_000,
    });
    const now = h.clock.now();
    await h.app.deps.db.execute(
      sql`INSERT INTO ppp_sessions (subscriber_id, router_id, session_key, framed_ip, caller_id, started_at, updated_at)
          VALUES (${id}, ${h.routerId}, ${`s-${acc}`}, '10.20.0.7', 'AA:BB:CC:00:00:01', ${now}, ${now})`,
    );
    await h.app.deps.db.execute(
      sql`INSERT INTO jobs (kind, payload, status, run_at, attempts, last_error, created_at, updated_at, finished_at)
          VALUES ('subscriber.sync', ${JSON.stringify({ subscriberId: id })}::jsonb, 'dead', ${now}, 12,
                  'connect ECONNREFUSED 10.0.0.1:8728', ${now}, ${now}, ${now})`,
    );
    const r = await ask(phone);
    expect(r.as).toBe('subscriber');
    expect(r.cause).toBe('sync_failed');
    const sync = check(r, 'router_sync')!;
    expect(sync.evidence.join(' ')).toContain('ECONNREFUSED');
    expect(sync.evidence.join(' ')).toContain('5120k/5120k');
    expect(check(r, 'ppp_session')).toMatchObject({ verdict: 'ok' });
    expect(check(r, 'ppp_session')!.said).toContain('10.20.0.7');
    expect(check(r, 'fair_use')).toMatchObject({ verdict: 'warning' });
  });

  it('active, paid up and told: nothing to fix', async () => {
    const acc = nextAccount();
    const id = await insertSubscriber(h.app.deps.db, { accountNo: acc, dueAt: daysFromNow(12) });
    await h.app.deps.db.execute(
      sql`UPDATE subscribers SET synced_state = 'active', synced_rate = '5120k/5120k' WHERE id = ${id}`,
    );
    const r = await ask(acc);
    expect(r.cause).toBeNull();
    expect(check(r, 'router_sync')!.verdict).toBe('ok');
    expect(check(r, 'ppp_session')!.verdict).toBe('info');
  });
});

describe('reconciliation: PPPoE subscribers', () => {
  it('a subscription paid through the credit path counts as money, and is not "paid with no code"', async () => {
    const acc = nextAccount();
    const id = await insertSubscriber(h.app.deps.db, { accountNo: acc, dueAt: daysFromNow(2) });
    const before = await report();
    const stk = (b: ReconciliationReport) => b.money.find((m) => m.channel === 'stk')?.kes ?? 0;
    const phone = freshPhone();
    const p = await insertPendingSubscriptionStk(h.app.deps.db, {
      subscriberId: id,
      phone,
      amountKes: 1500,
      at: h.clock.now(),
    });
    const cb = await receiveStkBody(
      h.app.deps,
      stkPaidBody({ checkout: p.checkout, amountKes: 1500, receipt: freshReceipt(), phone }),
    );
    expect(cb.outcome).toBe('credited');
    expect(await ledgerOf(h.app.deps.db, id)).toHaveLength(1);
    const after = await report();
    expect(stk(after) - stk(before)).toBe(1500);
    expect(
      after.discrepancies.filter((d) => d.ref.includes(p.id) || d.ref === `inbox:${cb.inboxId}`),
    ).toEqual([]);
  });

  it('paid with no ledger row: found, and "credit it" credits exactly once', async () => {
    const acc = nextAccount();
    const due = daysFromNow(2);
    const id = await insertSubscriber(h.app.deps.db, { accountNo: acc, dueAt: due });
    const p = await paidWithoutLedger(id, 1500);
    const d = (await report()).discrepancies.find(
      (x) => x.kind === 'subscription_not_credited' && x.ref === p.id,
    );
    expect(d, 'listed').toBeDefined();
    expect(d!.cause).toContain(acc);
    expect(d!.amountKes).toBe(1500);
    expect((await fix(d!)).done).toMatch(/^Credited: 1 period/);
    expect((await fix(d!)).done).toMatch(/Already credited/);
    expect(await ledgerOf(h.app.deps.db, id)).toEqual([
      expect.objectContaining({ purchaseId: p.id, periods: 1 }),
    ]);
    expect((await subscriberRow(h.app.deps.db, id)).dueAt.getTime()).toBeGreaterThan(due.getTime());
    expect((await report()).discrepancies.some((x) => x.ref === p.id)).toBe(false);
  });

  it('active past due + grace: found, and the fix expires them and queues their router sync', async () => {
    const acc = nextAccount();
    const id = await insertSubscriber(h.app.deps.db, { accountNo: acc, dueAt: daysFromNow(-5) });
    const ref = `subscriber:${id}`;
    const d = (await report()).discrepancies.find(
      (x) => x.kind === 'subscriber_not_expired' && x.ref === ref,
    );
    expect(d, 'listed').toBeDefined();
    expect(d!.cause).toContain(acc);
    const jobs = await syncJobsFor(h.app.deps.db, id);
    await fix(d!);
    expect((await subscriberRow(h.app.deps.db, id)).state).toBe('expired');
    expect(await syncJobsFor(h.app.deps.db, id)).toBe(jobs + 1);
    expect((await report()).discrepancies.some((x) => x.ref === ref)).toBe(false);
    const [a] = await query<{ n: number }>(
      h.app.deps.db,
      sql`SELECT count(*)::int AS n FROM audit_log WHERE action = 'reconciliation.enforce_due_dates'`,
    );
    expect(Number(a!.n)).toBe(1);
  });
});
