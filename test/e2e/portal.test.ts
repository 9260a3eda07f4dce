import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { formatCode } from '../../src/access/codes.ts';
import { SYSTEM } from '../../src/audit/index.ts';
import { query } from '../../src/db/open.ts';
import { importVouchers } from '../../src/vouchers/import-vouchers.ts';
import { demoRouterSim } from '../../src/sim/routeros/module.ts';
import { CHROMIUM, haveChromium } from '../helpers/browser.ts';
import { externalReferences, unlabelledInputs } from '../portal/page-checks.ts';
import { expectNoSeriousAxeIssues } from '../helpers/axe.ts';
import { type Device, portalHarness } from './portal-harness.ts';

if (!haveChromium) {
  process.stderr.write(
    `\n[portal e2e] SKIPPED: no Chromium at ${CHROMIUM} (Debian: apt-get install -y chromium).\n\n`,
  );
}

const h = portalHarness({
  macPrefix: 'A4:5E:60:10:20',
  ipPrefix: '10.5.50',
  phoneBase: 100_000,
  viewport: { width: 360, height: 740 },
});
const { clock, device, phone, joinWifi, answerOnPhone, connect, voucherCode } = h;

async function pay(d: Device, o: { plan: RegExp; phone: string; payLabel?: string }): Promise<void> {
  await h.pay(d, o);
  await d.page.waitForURL(/\/portal\/wait\//);
}

/** Online, on the status page, and nothing fetched from outside the walled garden. */
async function expectOnline(d: Device, heading = 'You are online'): Promise<void> {
  await h.expectOnline(d, heading);
  expect(d.page.url()).toMatch(/\/portal\/status\?/);
  expect(d.outside).toEqual([]);
}

/**
 * "Try again" right away: M-Pesa refuses the same amount from the same phone within two minutes,
 * the page says so and holds the button until then; two minutes later (moved on the app's clock,
 * and the page reloaded as its countdown or refresh does) the retry goes through.
 */
async function retryAfterTwoMinutes(d: Device, tryAgain: RegExp, wait: RegExp): Promise<void> {
  await d.page.getByRole('button', { name: tryAgain }).click();
  await d.page.getByText(wait).waitFor();
  expect(await d.page.getByRole('button', { name: tryAgain }).isDisabled()).toBe(true);
  clock.advance(121_000);
  const ready = new URL(d.page.url());
  ready.searchParams.delete('e');
  ready.searchParams.delete('s');
  await d.page.goto(ready.toString());
  await d.page.getByRole('button', { name: tryAgain }).click();
  await d.page.waitForURL((u) => !u.search.includes('e=wait'));
}

/** Check the page in the browser too: no other hosts, labels, width, axe-core. */
async function checkPage(d: Device): Promise<void> {
  const html = await d.page.content();
  // The router's login and log-out pages, and the page the customer first asked for.
  expect(
    externalReferences(html, [
      `${h.url}/sim/hotspot/login`,
      `${h.url}/sim/hotspot/logout`,
      'http://example.com/',
    ]),
  ).toEqual([]);
  expect(unlabelledInputs(html)).toEqual([]);
  const width = await d.page.evaluate(() => document.documentElement.scrollWidth);
  expect(width).toBeLessThanOrEqual(360);
  await expectNoSeriousAxeIssues(d.page, d.page.url(), { scriptsOff: !d.js });
}

// Each step also runs axe-core (a few seconds on a loaded 2-core runner): a minute per test, not 30 s.
vi.setConfig({ testTimeout: 60_000 });

describe.skipIf(!haveChromium)('captive portal in a browser', () => {
  beforeAll(h.start);
  afterAll(h.stop);

  for (const js of [true, false]) {
    describe(js ? 'with JavaScript' : 'with JavaScript off', () => {
      it('pays with M-Pesa and gets online', async () => {
        const d = await device({ js });
        await joinWifi(d);
        await checkPage(d);
        const number = phone();
        await pay(d, { plan: /^1 Hour/, phone: number });
        await d.page.getByRole('heading', { name: 'Check your phone' }).waitFor();
        await checkPage(d);
        await answerOnPhone(number, 'Pay');
        await connect(d);
        await expectOnline(d);
        await checkPage(d);
        await d.page.getByText('Time left').waitFor();
        // With scripts the waiting page long-polls the purchase; without, it only refreshes itself.
        const polls = d.requests.filter((u) => /\/api\/purchases\/[0-9a-f-]+\?wait=25$/.test(u));
        if (js) expect(polls.length).toBeGreaterThan(0);
        else expect(polls).toEqual([]);
      });

      it('cancelled on the phone, then one tap to retry, and online', async () => {
        const d = await device({ js });
        await joinWifi(d);
        const number = phone();
        await pay(d, { plan: /^3 Hours/, phone: number });
        await answerOnPhone(number, 'Cancel');
        await d.page.getByRole('heading', { name: 'Payment cancelled' }).waitFor({ timeout: 30_000 });
        await checkPage(d);
        await retryAfterTwoMinutes(d, /^Try again/, /Try again in \d+ seconds/);
        await d.page.getByRole('heading', { name: 'Check your phone' }).waitFor();
        await answerOnPhone(number, 'Pay');
        await connect(d);
        await expectOnline(d);
      });

      it('no answer from the phone: says so, then another number gets online', async () => {
        const d = await device({ js });
        await joinWifi(d);
        await pay(d, { plan: /^1 Hour/, phone: phone('1037') });
        await d.page.getByRole('heading', { name: 'No answer from the phone' }).waitFor({ timeout: 30_000 });
        await checkPage(d);
        await d.page.getByRole('link', { name: 'Choose another package' }).click();
        const number = phone();
        await pay(d, { plan: /^1 Hour/, phone: number });
        await answerOnPhone(number, 'Pay');
        await connect(d);
        await expectOnline(d);
      });

      it('logs in with a voucher code', async () => {
        const code = await voucherCode();
        const d = await device({ js });
        await joinWifi(d);
        await d.page.getByLabel('Voucher code').fill('WRONG-CODE1');
        await d.page.getByRole('button', { name: 'Connect' }).click();
        await d.page.getByText('That code is not valid').waitFor();
        await checkPage(d);
        await d.page.getByLabel('Voucher code').fill(`${code.slice(0, 5).toLowerCase()}-${code.slice(5)}`);
        await d.page.getByRole('button', { name: 'Connect' }).click();
        await connect(d);
        await expectOnline(d);
      });

      it('paid, but the router refuses the login: sees that they paid, the code and a retry, then online', async () => {
        const sim = demoRouterSim()!;
        const d = await device({ js });
        await joinWifi(d);
        const number = phone();
        await pay(d, { plan: /^1 Hour/, phone: number });
        // The router's API stops answering: the hotspot user cannot be put on it yet.
        sim.setFault('down');
        try {
          await answerOnPhone(number, 'Pay');
          await d.page
            .getByRole('heading', { name: 'Getting your access ready…' })
            .waitFor({ timeout: 30_000 });
          // The portal waits for the router only so long, then lets the login try: the router refuses
          // it and its login page sends the browser back to the portal.
          clock.advance(31_000);
          await connect(d);
          if (!js) await d.page.getByRole('button', { name: 'Continue' }).click();
          await d.page.getByRole('heading', { name: 'You have paid' }).waitFor({ timeout: 30_000 });
        } finally {
          sim.setFault('none');
        }
        await checkPage(d);
        await d.page.getByText('invalid username or password').waitFor();
        const [row] = await query<{ code_sealed: string }>(
          h.app.deps.db,
          sql`SELECT c.code_sealed FROM purchases p JOIN access_codes c ON c.id = p.access_code_id
              WHERE p.phone = ${`254${number.slice(1)}`} AND p.status = 'paid'`,
        );
        await d.page.getByText(formatCode(h.app.deps.sealer.unseal(row!.code_sealed))).waitFor();
        expect(await d.page.getByRole('button', { name: 'Pay with M-Pesa' }).count()).toBe(0);
        // The grant retried during the outage comes due and reaches the router; then one tap.
        clock.advance(31_000);
        await d.page.getByRole('button', { name: 'Try again' }).click();
        await connect(d);
        await expectOnline(d);
        // Three router round trips, each allowed 30 s by its own wait: more than the default budget.
      }, 120_000);

      it('recovers a paid package on a second device with the M-Pesa receipt', async () => {
        const first = await device({ js });
        await joinWifi(first);
        const number = phone();
        await pay(first, { plan: /^24 Hours/, phone: number });
        await answerOnPhone(number, 'Pay');
        await connect(first);
        await expectOnline(first);
        // The customer reads the receipt from the M-Pesa confirmation SMS.
        const [row] = await query<{ mpesa_receipt: string }>(
          h.app.deps.db,
          sql`SELECT mpesa_receipt FROM purchases WHERE phone = ${`254${number.slice(1)}`} AND status = 'paid'`,
        );
        const second = await device({ js });
        await joinWifi(second);
        await second.page.getByRole('link', { name: /Already paid/ }).click();
        await second.page.getByLabel('M-Pesa code').fill('QK81ABC2DE');
        await second.page.getByRole('button', { name: 'Check and connect' }).click();
        // A receipt Wavu never saw is checked with Safaricom (Transaction Status); the page says so.
        await second.page.getByText('We are checking this M-Pesa code with Safaricom').waitFor();
        await checkPage(second);
        await second.page.getByLabel('M-Pesa code').fill(row!.mpesa_receipt.toLowerCase());
        await second.page.getByRole('button', { name: 'Check and connect' }).click();
        await connect(second);
        await expectOnline(second);
        // Both devices share the 24-hour package (two devices allowed).
        const active = demoRouterSim()!
          .router.list('/ip/hotspot/active')
          .map((a) => a['mac-address']);
        expect(active).toContain(first.mac);
      });
    });
  }

  it('logs in from the server when there is no hotspot page to post to (api-mode router)', async () => {
    const code = await voucherCode();
    const d = await device();
    await joinWifi(d);
    // The printed QR code opened directly: the device is known, but there is no login URL to post to.
    await d.page.goto(
      `${h.url}/portal/voucher?code=${code}&mac=${encodeURIComponent(d.mac)}&ip=${d.ip}&router=demo-router`,
    );
    await d.page.getByRole('button', { name: 'Connect' }).click();
    await expectOnline(d);
  });

  it('logs in with a Mikhmon voucher whose password differs: the password box appears, the pair connects', async () => {
    const [plan] = await query<{ id: number }>(
      h.app.deps.db,
      sql`SELECT id FROM plans WHERE name = '1 Hour'`,
    );
    const r = await importVouchers(h.app.deps, {
      actor: SYSTEM,
      planId: plan!.id,
      text: 'Username,Password,Profile\nmk4r7t2w,8135,1h\n',
    });
    expect(r.imported).toBe(1);
    const d = await device();
    await joinWifi(d);
    await d.page.getByLabel('Voucher code').fill('mk4r7t2w');
    await d.page.getByRole('button', { name: 'Connect' }).click();
    await d.page.getByText('This voucher has a password too').waitFor();
    await d.page.getByLabel('Voucher password').fill('8136');
    await d.page.getByRole('button', { name: 'Connect' }).click();
    await d.page.getByText('That code is not valid').waitFor();
    await checkPage(d);
    await d.page.screenshot({ path: 'docs/portal/voucher-password.png', fullPage: true });
    await d.page.getByLabel('Voucher password').fill('8135');
    await d.page.getByRole('button', { name: 'Connect' }).click();
    await connect(d);
    await expectOnline(d);
  });

  it('works in Kiswahili', async () => {
    const d = await device();
    await joinWifi(d);
    await d.page.getByRole('link', { name: 'Kiswahili' }).click();
    await d.page.locator('legend', { hasText: 'Chagua kifurushi' }).waitFor();
    expect(await d.page.getAttribute('html', 'lang')).toBe('sw');
    const number = phone();
    await pay(d, { plan: /^Saa 1/, phone: number, payLabel: 'Lipa kwa M-Pesa' });
    await d.page.getByRole('heading', { name: 'Angalia simu yako' }).waitFor();
    await answerOnPhone(number, 'Wrong PIN');
    await d.page.getByRole('heading', { name: 'PIN ya M-Pesa si sahihi' }).waitFor({ timeout: 30_000 });
    await checkPage(d);
    await retryAfterTwoMinutes(d, /^Jaribu tena ·/, /Jaribu tena baada ya sekunde \d+/);
    await answerOnPhone(number, 'Pay');
    await expectOnline(d, 'Uko mtandaoni');
    expect(await d.page.getAttribute('html', 'lang')).toBe('sw');
  });
});
