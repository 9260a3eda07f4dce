/**
 * A PPPoE subscriber pays on /pay in a browser (a 360-wide phone), through the Daraja simulator:
 * account number, what is due, the STK prompt answered on the simulator's phone, the new due date.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, haveChromium } from '../helpers/browser.ts';
import { insertSubscriber, ledgerOf, subscriberRow } from '../helpers/subscriber-rows.ts';
import { portalHarness } from './portal-harness.ts';

if (!haveChromium) process.stderr.write(`\n[pay page] SKIPPED: no Chromium at ${CHROMIUM}.\n\n`);

const h = portalHarness({
  macPrefix: 'A4:5E:60:50:60',
  ipPrefix: '10.5.53',
  phoneBase: 500_020,
  viewport: { width: 360, height: 640 },
});
const DAY = 86_400_000;

describe.skipIf(!haveChromium)('the subscriber pay page in a browser', () => {
  beforeAll(h.start);
  afterAll(h.stop);

  it('an expired subscriber pays the amount due by STK and sees the new due date, in English', async () => {
    const phone = h.phone();
    const now = h.clock.now();
    const id = await insertSubscriber(h.app.deps.db, {
      accountNo: 'W5001',
      name: 'Wanjiku Kamau',
      phone: `254${phone.slice(1)}`,
      state: 'expired',
      dueAt: new Date(now.getTime() - 10 * DAY),
      balanceKes: 200,
    });
    const d = await h.device();
    await d.page.goto(`${h.url}/pay`);
    await d.page.screenshot({ path: 'docs/portal/pay-account.png', fullPage: true });
    await d.page.getByLabel('Account number').fill(' w5001 ');
    await d.page.getByRole('button', { name: 'Continue' }).click();
    await d.page.getByText('Your internet is paused until you pay.').waitFor();
    // Past grace: one month is due, less the balance.
    await expect(d.page.getByRole('button', { name: /Pay KES.1,300 with M-Pesa/ }).count()).resolves.toBe(1);
    const text = await d.page.textContent('main');
    expect(text).toContain('Wa***** Ka***');
    expect(text).not.toContain('Wanjiku');
    expect(text).toContain('0712***');
    await d.page.screenshot({ path: 'docs/portal/pay-due.png', fullPage: true });
    await d.page.getByRole('button', { name: /Pay KES.1,300/ }).click();
    await d.page.getByRole('heading', { name: 'Check your phone' }).waitFor();
    await d.page.screenshot({ path: 'docs/portal/pay-wait.png', fullPage: true });
    await h.answerOnPhone(phone, 'Pay');
    await d.page.getByRole('heading', { name: 'Paid, thank you' }).waitFor({ timeout: 60_000 });
    await d.page.screenshot({ path: 'docs/portal/pay-paid.png', fullPage: true });
    const row = await subscriberRow(h.app.deps.db, id);
    expect(row).toMatchObject({ state: 'active', balanceKes: 0, lang: 'en' });
    expect(row.dueAt.getTime()).toBeGreaterThan(now.getTime() + 27 * DAY);
    expect(await ledgerOf(h.app.deps.db, id)).toEqual([
      expect.objectContaining({ amountKes: 1300, periods: 1, balanceAfterKes: 0 }),
    ]);
    expect(d.outside).toEqual([]);
  });

  it('in Kiswahili, from the link in a text, with another number typed', async () => {
    const other = h.phone();
    await insertSubscriber(h.app.deps.db, {
      accountNo: 'W5002',
      name: 'Otieno',
      phone: null,
      dueAt: new Date(h.clock.now().getTime() + 2 * DAY),
      plan: 'Weekly 5 Mbps',
    });
    const d = await h.device();
    await d.page.goto(`${h.url}/pay?account=W5002&lang=sw`);
    await d.page.getByText('Kiasi cha kulipa').waitFor();
    await d.page.getByLabel('Nambari nyingine ya M-Pesa').fill(other);
    await d.page.screenshot({ path: 'docs/portal/pay-due-sw.png', fullPage: true });
    await d.page.getByRole('button', { name: /Lipa KES.450 kwa M-Pesa/ }).click();
    await h.answerOnPhone(other, 'Pay');
    await d.page.getByRole('heading', { name: 'Imelipwa, asante' }).waitFor({ timeout: 60_000 });
    await d.page.screenshot({ path: 'docs/portal/pay-paid-sw.png', fullPage: true });
  });

  it('an unknown account number is a 404 page with the form again, and a bad phone a 400', async () => {
    const r = await fetch(`${h.url}/pay?account=NOSUCH`);
    expect(r.status).toBe(404);
    expect(await r.text()).toContain('There is no account with that number');
    const bad = await fetch(`${h.url}/pay`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'account=W5002&who=other&phone=0733123456',
    });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('Safaricom');
  });
});
