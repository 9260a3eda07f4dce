/**
 * Pull Transactions against the Daraja simulator: a Paybill payment whose C2B confirmation was
 * dropped is found by the periodic pull and credited once; payments Wavu already has (by STK or
 * a delivered C2B confirmation) are recognised by receipt and credited nothing. PGlite and PostgreSQL.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM } from '../../src/audit/index.ts';
import { query } from '../../src/db/open.ts';
import { pullRecentPayments, registerPull } from '../../src/payments/index.ts';
import { NO_FAULTS } from '../../src/sim/daraja/types.ts';
import { freshPhone, type PaymentsHarness, startPaymentsApp, waitFor } from './helpers.ts';

let h: PaymentsHarness;
beforeAll(async () => {
  h = await startPaymentsApp();
}, 60_000);
afterAll(async () => {
  await h.stop();
});

const paidWith = async (receipt: string) =>
  Number(
    (
      await query<{ n: number }>(
        h.app.deps.db,
        sql`SELECT count(*)::int AS n FROM purchases p JOIN access_codes c ON c.purchase_id = p.id
            WHERE p.mpesa_receipt = ${receipt} AND p.status = 'paid'`,
      )
    )[0]!.n,
  );

function payBill(amount: number, billRef: string) {
  const before = new Set(h.sim.ledger.keys());
  h.sim.c2bSimulate('x', {
    ShortCode: '174379',
    CommandID: 'CustomerPayBillOnline',
    Amount: amount,
    Msisdn: freshPhone(),
    BillRefNumber: billRef,
  });
  return [...h.sim.ledger.keys()].find((k) => !before.has(k))!;
}

describe('Pull Transactions', () => {
  it('recovers a C2B payment whose confirmation was dropped, once, and leaves known ones alone', async () => {
    expect(await pullRecentPayments(h.app.deps)).toEqual({ skipped: true });
    const reg = await registerPull(h.app.deps, { nominatedNumber: '254708374149' }, SYSTEM, null);
    expect(reg.ok).toBe(true);

    // Known to Wavu already: a delivered C2B confirmation.
    h.sim.faults = { ...NO_FAULTS };
    const phoneA = freshPhone();
    const delivered = payBill(20, `0${phoneA.slice(3)}`);
    await h.sim.idle();
    await waitFor(async () => (await paidWith(delivered)) === 1);

    // Lost: M-Pesa took the money, the confirmation never came.
    h.sim.faults = { ...NO_FAULTS, c2bDropRate: 1 };
    const phoneB = freshPhone();
    const lost = payBill(50, `0${phoneB.slice(3)}`);
    await h.sim.idle();
    expect(await paidWith(lost)).toBe(0);

    const run = await pullRecentPayments(h.app.deps);
    expect(run).toMatchObject({ skipped: false });
    if (run.skipped) throw new Error('skipped');
    expect(run.outcomes.credited).toBe(1);
    expect(run.outcomes.duplicate).toBeGreaterThanOrEqual(1);
    expect(await paidWith(lost)).toBe(1);
    expect(await paidWith(delivered)).toBe(1);
    const [p] = await query<{ phone: string; amount_kes: number; channel: string }>(
      h.app.deps.db,
      sql`SELECT phone, amount_kes, channel FROM purchases WHERE mpesa_receipt = ${lost}`,
    );
    expect(p).toEqual({ phone: phoneB, amount_kes: 50, channel: 'c2b' });

    // The next run finds nothing new.
    const again = await pullRecentPayments(h.app.deps);
    if (again.skipped) throw new Error('skipped');
    expect(again.outcomes.credited ?? 0).toBe(0);
    expect(await paidWith(lost)).toBe(1);
  });
});
