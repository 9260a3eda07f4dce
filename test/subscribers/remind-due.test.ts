/**
 * Due reminders and auto-renew with a moved clock across a month end in EAT: a subscriber due at
 * midnight starting 1 February (EAT) is texted on 29 January and on 1 February, once each however
 * often the job runs, and an auto-renew subscriber gets one STK push (through the Daraja
 * simulator) for the amount due on the due day.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { query } from '../../src/db/open.ts';
import { putSetting } from '../../src/settings/index.ts';
import { remindDue } from '../../src/subscribers/remind-due.ts';
import { startPaymentsApp, type PaymentsHarness } from '../payments/helpers.ts';
import { insertSubscriber, smsTo } from '../helpers/subscriber-rows.ts';

let h: PaymentsHarness;
beforeAll(async () => {
  h = await startPaymentsApp();
});
afterAll(() => h?.stop());

const setClock = (iso: string) => h.clock.advance(new Date(iso).getTime() - h.clock.now().getTime());
/** 1 February 2026, 00:00 EAT. */
const DUE = new Date('2026-01-31T21:00:00Z');

const pushesFor = async (subscriberId: number) =>
  (
    await query<{ amount_kes: number; status: string }>(
      h.app.deps.db,
      sql`SELECT amount_kes, status FROM purchases WHERE subscriber_id = ${subscriberId} AND purpose = 'subscription'`,
    )
  ).map((r) => Number(r.amount_kes));

describe('due reminders and auto-renew', () => {
  it('text 3 days before and on the due day, once each, and push once for auto-renew', async () => {
    const a = await insertSubscriber(h.app.deps.db, {
      accountNo: 'R1001',
      phone: '254712900101',
      dueAt: DUE,
    });
    const b = await insertSubscriber(h.app.deps.db, {
      accountNo: 'R1002',
      phone: '254712900102',
      dueAt: DUE,
      autoRenew: true,
      balanceKes: 500,
    });
    // 28 January 23:59 EAT: four days before, nothing yet.
    setClock('2026-01-28T20:59:00Z');
    expect(await remindDue(h.app.deps)).toEqual({ before: 0, dueDay: 0, autoRenew: 0 });
    // 29 January 00:30 EAT (still the 28th in UTC): three days before.
    setClock('2026-01-28T21:30:00Z');
    expect(await remindDue(h.app.deps)).toEqual({ before: 2, dueDay: 0, autoRenew: 0 });
    setClock('2026-01-29T15:00:00Z');
    expect(await remindDue(h.app.deps)).toEqual({ before: 0, dueDay: 0, autoRenew: 0 });
    const [before] = await smsTo(h.app.deps.db, '254712900101');
    expect(before!.template).toBe('due_reminder');
    expect(before!.body).toContain('internet due in 3 days, KES 1500');
    expect(before!.body).toContain('Paybill 174379 account R1001');
    expect(before!.body).toContain('/pay?account=R1001');
    expect((await smsTo(h.app.deps.db, '254712900102'))[0]!.body).toContain('KES 1000');

    // 31 January 23:59 EAT: the month's last minute, not the due day yet.
    setClock('2026-01-31T20:59:00Z');
    expect(await remindDue(h.app.deps)).toEqual({ before: 0, dueDay: 0, autoRenew: 0 });
    // 1 February 00:05 EAT: the due day, across the month end.
    setClock('2026-01-31T21:05:00Z');
    expect(await remindDue(h.app.deps)).toEqual({ before: 0, dueDay: 2, autoRenew: 1 });
    const [again] = await Promise.all([remindDue(h.app.deps), remindDue(h.app.deps)]);
    expect(again).toEqual({ before: 0, dueDay: 0, autoRenew: 0 });
    expect((await smsTo(h.app.deps.db, '254712900101')).map((s) => s.body.includes('due today'))).toEqual([
      false,
      true,
    ]);
    expect(await pushesFor(a)).toEqual([]);
    // Auto-renew asks for the amount due: the month less the balance.
    expect(await pushesFor(b)).toEqual([1000]);
  });

  it('follow the ppp_remind_days setting, and the language of the pay page', async () => {
    await putSetting(h.app.deps.db, h.clock.now(), 'ppp_remind_days', 7);
    const due = new Date('2026-03-09T21:00:00Z'); // 10 March EAT
    const id = await insertSubscriber(h.app.deps.db, {
      accountNo: 'R2001',
      phone: '254712900201',
      dueAt: due,
    });
    await h.app.deps.db.execute(sql`UPDATE subscribers SET lang = 'sw' WHERE id = ${id}`);
    setClock('2026-03-01T06:00:00Z'); // 1 March: 9 days before
    expect((await remindDue(h.app.deps)).before).toBe(0);
    setClock('2026-03-03T06:00:00Z'); // 3 March: 7 days before
    expect((await remindDue(h.app.deps)).before).toBe(1);
    expect((await smsTo(h.app.deps.db, '254712900201'))[0]!.body).toContain('baada ya siku 7');
  });
});
