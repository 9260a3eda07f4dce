/**
 * Paying for a subscription through the one credit path: Paybill (C2B) payments against the
 * account number and STK callbacks for subscription purchases, on a real database. Whole periods
 * move the due date, the rest is balance, duplicates and races credit once.
 */
import { sql } from 'drizzle-orm';
import { amountDue, subscriberForPaying } from '../../src/subscribers/index.ts';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { App } from '../../src/app/run.ts';
import { query } from '../../src/db/open.ts';
import { ManualClock } from '../../src/lib/clock.ts';
import { validateC2b } from '../../src/payments/c2b.ts';
import { startDrainedApp, TEST_CALLBACK_SECRET } from '../helpers/app.ts';
import type { TestDatabase } from '../helpers/db.ts';
import { confirmPaybill, freshReceipt, paybillBody, receiveStkBody, stkPaidBody } from '../helpers/stk.ts';
import {
  insertPendingSubscriptionStk,
  insertSubscriber,
  ledgerOf,
  smsTo,
  subscriberRow,
  syncJobsFor,
} from '../helpers/subscriber-rows.ts';

const NOW = new Date('2026-03-10T09:00:00Z'); // 12:00 EAT
/** 21 March 00:00 EAT: ahead of NOW. */
const DUE = new Date('2026-03-20T21:00:00Z');

let t: TestDatabase;
let app: App;
const clock = new ManualClock(NOW);
let seq = 0;

beforeAll(async () => {
  ({ t, app } = await startDrainedApp(clock));
});
afterAll(async () => {
  await app?.stop();
  await t?.drop();
});
beforeEach(() => clock.set(NOW));

const db = () => app.deps.db;
const phone = () => `2547${String(20_000_000 + ++seq * 7919).slice(0, 8)}`;
const account = () => `W${String(1000 + ++seq)}`;

const confirm = (billRef: string, amountKes: number, transId?: string) =>
  confirmPaybill(app.deps, billRef, amountKes, transId);

async function subscriber(o: Partial<Parameters<typeof insertSubscriber>[1]> = {}) {
  const accountNo = o.accountNo ?? account();
  const p = o.phone === undefined ? phone() : o.phone;
  const id = await insertSubscriber(db(), { accountNo, dueAt: DUE, phone: p, ...o });
  return { id, accountNo, phone: p };
}

describe('a Paybill payment against a subscriber account number', () => {
  it('of exactly one period moves the due date one calendar month, texts a receipt and syncs the router', async () => {
    const s = await subscriber();
    // Typed on a phone: lower case, spaces around.
    expect(await confirm(`  ${s.accountNo.toLowerCase()} `, 1500)).toBe('credited');
    const row = await subscriberRow(db(), s.id);
    expect(row).toMatchObject({ state: 'active', balanceKes: 0 });
    expect(row.dueAt.toISOString()).toBe('2026-04-20T21:00:00.000Z');
    expect(await ledgerOf(db(), s.id)).toEqual([
      expect.objectContaining({ amountKes: 1500, periods: 1, balanceAfterKes: 0 }),
    ]);
    expect(await syncJobsFor(db(), s.id)).toBe(1);
    const [sms] = await smsTo(db(), s.phone!);
    expect(sms!.template).toBe('subscription_receipt');
    expect(sms!.body).toContain('KES 1500');
    expect(sms!.body).toContain(`account ${s.accountNo}`);
    // The due date as the subscriber reads it: the day in EAT.
    expect(sms!.body).toContain('Paid up to 21 Apr 2026');
    expect(sms!.body).toContain('Balance KES 0');
    const [p] = await query<Record<string, any>>(
      db(),
      sql`SELECT status, purpose, channel, plan_id, access_code_id FROM purchases
           WHERE id = ${(await ledgerOf(db(), s.id))[0]!.purchaseId}`,
    );
    expect(p).toMatchObject({
      status: 'paid',
      purpose: 'subscription',
      channel: 'c2b',
      plan_id: null,
      access_code_id: null,
    });
  });

  it('of exactly three periods moves it three months', async () => {
    const s = await subscriber();
    expect(await confirm(s.accountNo, 4500)).toBe('credited');
    expect((await subscriberRow(db(), s.id)).dueAt.toISOString()).toBe('2026-06-20T21:00:00.000Z');
    expect((await ledgerOf(db(), s.id))[0]).toMatchObject({ periods: 3, balanceAfterKes: 0 });
  });

  it('of part of a period is kept as balance without moving the due date; the next payment completes it', async () => {
    const s = await subscriber();
    expect(await confirm(s.accountNo, 1000)).toBe('credited');
    let row = await subscriberRow(db(), s.id);
    expect(row).toMatchObject({ balanceKes: 1000, state: 'active' });
    expect(row.dueAt.getTime()).toBe(DUE.getTime());
    expect(await syncJobsFor(db(), s.id)).toBe(0);
    expect((await smsTo(db(), s.phone!))[0]!.body).toContain('Balance KES 1000');

    expect(await confirm(s.accountNo, 700)).toBe('credited');
    row = await subscriberRow(db(), s.id);
    expect(row.balanceKes).toBe(200);
    expect(row.dueAt.toISOString()).toBe('2026-04-20T21:00:00.000Z');
    expect((await ledgerOf(db(), s.id)).map((l) => [l.periods, l.balanceAfterKes])).toEqual([
      [0, 1000],
      [1, 200],
    ]);
  });

  it('of more than a period carries the rest forward into the next payment', async () => {
    const s = await subscriber();
    expect(await confirm(s.accountNo, 2000)).toBe('credited');
    expect(await subscriberRow(db(), s.id)).toMatchObject({ balanceKes: 500 });
    expect(await confirm(s.accountNo, 1000)).toBe('credited');
    const row = await subscriberRow(db(), s.id);
    expect(row.balanceKes).toBe(0);
    expect(row.dueAt.toISOString()).toBe('2026-05-20T21:00:00.000Z');
  });

  it('settles what a plan upgrade left owing before buying periods, and the pay page asks for both', async () => {
    const s = await subscriber();
    await db().execute(sql`UPDATE subscribers SET owed_kes = 400 WHERE id = ${s.id}`);
    const view = await subscriberForPaying(db(), s.id);
    expect(amountDue(view!, NOW)).toBe(1900);
    // Only the owed part: no period bought, nothing kept as balance.
    expect(await confirm(s.accountNo, 300)).toBe('credited');
    let row = await query<{ owed_kes: number; balance_kes: number }>(
      db(),
      sql`SELECT owed_kes, balance_kes FROM subscribers WHERE id = ${s.id}`,
    );
    expect(row[0]).toEqual({ owed_kes: 100, balance_kes: 0 });
    expect(await confirm(s.accountNo, 1600)).toBe('credited');
    row = await query(db(), sql`SELECT owed_kes, balance_kes FROM subscribers WHERE id = ${s.id}`);
    expect(row[0]).toEqual({ owed_kes: 0, balance_kes: 0 });
    expect((await subscriberRow(db(), s.id)).dueAt.toISOString()).toBe('2026-04-20T21:00:00.000Z');
  });

  it('sent twice with the same TransID credits once', async () => {
    const s = await subscriber();
    const id = freshReceipt();
    expect(await confirm(s.accountNo, 1500, id)).toBe('credited');
    expect(await confirm(s.accountNo, 1500, id)).toBe('duplicate');
    expect(await ledgerOf(db(), s.id)).toHaveLength(1);
    expect((await subscriberRow(db(), s.id)).dueAt.toISOString()).toBe('2026-04-20T21:00:00.000Z');
    expect(await smsTo(db(), s.phone!)).toHaveLength(1);
  });

  it('sent five times at once with the same TransID credits once', async () => {
    const s = await subscriber();
    const id = freshReceipt();
    const outcomes = await Promise.all(Array.from({ length: 5 }, () => confirm(s.accountNo, 1500, id)));
    expect(outcomes.filter((o) => o === 'credited')).toHaveLength(1);
    expect(outcomes.filter((o) => o !== 'credited').every((o) => o === 'duplicate')).toBe(true);
    expect(await ledgerOf(db(), s.id)).toHaveLength(1);
    expect((await subscriberRow(db(), s.id)).dueAt.toISOString()).toBe('2026-04-20T21:00:00.000Z');
  });

  it('brings an expired subscriber back, counting the new month from the payment, with fresh usage', async () => {
    const s = await subscriber({
      dueAt: new Date('2026-02-01T21:00:00Z'),
      state: 'expired',
      periodBytes: 5_000_000_000,
      throttled: true,
    });
    expect(await confirm(s.accountNo, 1500)).toBe('credited');
    const row = await subscriberRow(db(), s.id);
    expect(row).toMatchObject({ state: 'active', periodBytes: 0, throttled: false, balanceKes: 0 });
    expect(row.dueAt.toISOString()).toBe('2026-04-10T09:00:00.000Z');
    expect(await syncJobsFor(db(), s.id)).toBe(1);
  });

  it('within the grace days counts from the old due date (the grace days were service)', async () => {
    const s = await subscriber({
      dueAt: new Date('2026-03-08T21:00:00Z'),
      periodBytes: 123,
      throttled: true,
    });
    expect(await confirm(s.accountNo, 1500)).toBe('credited');
    const row = await subscriberRow(db(), s.id);
    expect(row.dueAt.toISOString()).toBe('2026-04-08T21:00:00.000Z');
    // A new period started, so its usage starts at nothing.
    expect(row).toMatchObject({ state: 'active', periodBytes: 0, throttled: false });
  });

  it('ahead of the due date extends the current period without resetting its usage', async () => {
    const s = await subscriber({ periodBytes: 123, throttled: true });
    expect(await confirm(s.accountNo, 1500)).toBe('credited');
    expect(await subscriberRow(db(), s.id)).toMatchObject({ periodBytes: 123, throttled: true });
  });

  it('for a subscriber with no phone is credited without a text', async () => {
    const s = await subscriber({ phone: null });
    expect(await confirm(s.accountNo, 1500)).toBe('credited');
    expect(await ledgerOf(db(), s.id)).toHaveLength(1);
  });

  it('against a closed account or an unknown one is left for staff', async () => {
    const s = await subscriber({ state: 'disconnected' });
    expect(await confirm(s.accountNo, 1500)).toBe('unmatched');
    expect(await confirm('NOSUCH9', 1500)).toBe('unmatched');
    expect(await ledgerOf(db(), s.id)).toHaveLength(0);
  });

  it('is accepted by C2B validation for a known account of any amount, refused for an unknown one', async () => {
    const s = await subscriber();
    const validate = (ref: string, amount: number) =>
      validateC2b(app.deps, {
        secret: TEST_CALLBACK_SECRET,
        body: paybillBody(ref, amount),
        remoteAddr: '127.0.0.1',
      });
    expect(await validate(s.accountNo.toLowerCase(), 10)).toEqual({ accept: true });
    expect(await validate('NOSUCH9', 1500)).toEqual({ accept: false, code: 'C2B00012' });
  });
});

describe('an STK payment for a subscription purchase', () => {
  const stkPaid = (p: { checkout: string }, amountKes: number, ph: string, receipt = freshReceipt()) =>
    receiveStkBody(app.deps, stkPaidBody({ checkout: p.checkout, amountKes, receipt, phone: ph }));

  it('credits the subscriber once, with the receipt in the language of the pay page', async () => {
    const s = await subscriber();
    const p = await insertPendingSubscriptionStk(db(), {
      subscriberId: s.id,
      phone: s.phone!,
      amountKes: 1500,
      at: NOW,
      lang: 'sw',
    });
    const receipt = freshReceipt();
    await stkPaid(p, 1500, s.phone!, receipt);
    await stkPaid(p, 1500, s.phone!, receipt);
    expect(await ledgerOf(db(), s.id)).toHaveLength(1);
    const row = await subscriberRow(db(), s.id);
    expect(row.dueAt.toISOString()).toBe('2026-04-20T21:00:00.000Z');
    expect(row.lang).toBe('sw');
    const [sms] = await smsTo(db(), s.phone!);
    expect(sms!.body).toContain('tumepokea KES 1500');
    expect(sms!.body).toContain('Umelipia hadi 21 Apr 2026');
  });

  it('and its C2B copy (same receipt, the purchase ref as account) count once, in either order', async () => {
    for (const order of ['stk_first', 'c2b_first'] as const) {
      const s = await subscriber();
      const p = await insertPendingSubscriptionStk(db(), {
        subscriberId: s.id,
        phone: s.phone!,
        amountKes: 1500,
        at: NOW,
      });
      const receipt = freshReceipt();
      if (order === 'stk_first') {
        await stkPaid(p, 1500, s.phone!, receipt);
        expect(await confirm(p.ref, 1500, receipt)).toBe('duplicate');
      } else {
        expect(await confirm(p.ref, 1500, receipt)).toBe('credited');
        await stkPaid(p, 1500, s.phone!, receipt);
      }
      expect(await ledgerOf(db(), s.id)).toHaveLength(1);
      expect((await subscriberRow(db(), s.id)).dueAt.toISOString()).toBe('2026-04-20T21:00:00.000Z');
    }
  });

  it('and a separate Paybill payment by account number while the push waits both count', async () => {
    for (const order of ['c2b_before_stk', 'c2b_after_stk'] as const) {
      const s = await subscriber();
      const p = await insertPendingSubscriptionStk(db(), {
        subscriberId: s.id,
        phone: s.phone!,
        amountKes: 1500,
        at: NOW,
      });
      if (order === 'c2b_before_stk') {
        expect(await confirm(s.accountNo, 1500)).toBe('credited');
        await stkPaid(p, 1500, s.phone!);
      } else {
        await stkPaid(p, 1500, s.phone!);
        expect(await confirm(s.accountNo, 1500)).toBe('credited');
      }
      expect(await ledgerOf(db(), s.id)).toHaveLength(2);
      expect((await subscriberRow(db(), s.id)).dueAt.toISOString()).toBe('2026-05-20T21:00:00.000Z');
    }
  });

  it('racing separate Paybill payments for the same subscriber: every payment counts once', async () => {
    const s = await subscriber();
    const p = await insertPendingSubscriptionStk(db(), {
      subscriberId: s.id,
      phone: s.phone!,
      amountKes: 1500,
      at: NOW,
    });
    const outcomes = await Promise.all([
      confirm(s.accountNo, 1500),
      stkPaid(p, 1500, s.phone!),
      confirm(s.accountNo, 1500),
      confirm(s.accountNo, 1500),
    ]);
    expect(outcomes.filter((o) => o === 'credited')).toHaveLength(3);
    expect(await ledgerOf(db(), s.id)).toHaveLength(4);
    expect((await subscriberRow(db(), s.id)).dueAt.toISOString()).toBe('2026-07-20T21:00:00.000Z');
  });

  it('racing its C2B copy credits once', async () => {
    const s = await subscriber();
    const p = await insertPendingSubscriptionStk(db(), {
      subscriberId: s.id,
      phone: s.phone!,
      amountKes: 1500,
      at: NOW,
    });
    const receipt = freshReceipt();
    await Promise.all([
      stkPaid(p, 1500, s.phone!, receipt),
      confirm(p.ref, 1500, receipt),
      stkPaid(p, 1500, s.phone!, receipt),
      confirm(p.ref, 1500, receipt),
    ]);
    expect(await ledgerOf(db(), s.id)).toHaveLength(1);
    expect((await subscriberRow(db(), s.id)).dueAt.toISOString()).toBe('2026-04-20T21:00:00.000Z');
  });
});
