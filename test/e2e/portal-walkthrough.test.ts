/**
 * The customer walkthrough in a browser (a 360-wide phone): the links we print, the waiting and
 * failure pages' countdowns, the Paybill page, non-Safaricom numbers and the online page.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatCode } from '../../src/access/codes.ts';
import { query } from '../../src/db/open.ts';
import { demoRouterSim } from '../../src/sim/routeros/module.ts';
import { portalUrl } from '../../src/vouchers/format.ts';
import { CHROMIUM, haveChromium } from '../helpers/browser.ts';
import { portalHarness } from './portal-harness.ts';

if (!haveChromium) process.stderr.write(`\n[portal walkthrough] SKIPPED: no Chromium at ${CHROMIUM}.\n\n`);

const h = portalHarness({
  macPrefix: 'A4:5E:60:30:40',
  ipPrefix: '10.5.51',
  phoneBase: 300_000,
  viewport: { width: 360, height: 640 },
});
const { clock, device, phone, joinWifi, pay, answerOnPhone, connect, expectOnline, voucherCode } = h;

describe.skipIf(!haveChromium)('customer walkthrough in a browser', () => {
  beforeAll(h.start);
  afterAll(h.stop);

  it('refuses Airtel and Telkom numbers, naming M-Pesa, in both languages and on the API', async () => {
    const d = await device();
    await joinWifi(d);
    for (const [number, lang] of [
      ['0733 123 456', 'en'],
      ['0750123456', 'en'],
      ['+254 770 123 456', 'sw'],
    ] as const) {
      if (lang === 'sw' && (await d.page.getAttribute('html', 'lang')) !== 'sw')
        await d.page.getByRole('link', { name: 'Kiswahili' }).click();
      await pay(d, {
        plan: lang === 'sw' ? /^Saa 1/ : /^1 Hour/,
        phone: number,
        payLabel: lang === 'sw' ? 'Lipa kwa M-Pesa' : undefined,
      });
      await d.page
        .getByRole('alert')
        .filter({
          hasText: lang === 'sw' ? 'Hiyo si nambari ya Safaricom' : 'That is not a Safaricom number',
        })
        .filter({ hasText: 'M-Pesa' })
        .waitFor();
      expect(d.page.url()).not.toContain('/portal/wait/');
    }
    const [{ n }] = (await query<{ n: number }>(
      h.app.deps.db,
      sql`SELECT count(*)::int AS n FROM purchases WHERE phone IN ('254733123456', '254750123456', '254770123456')`,
    )) as [{ n: number }];
    expect(n).toBe(0);
    const [plan] = await query<{ id: number }>(
      h.app.deps.db,
      sql`SELECT id FROM plans WHERE name = '1 Hour'`,
    );
    const api = await fetch(`${h.url}/api/purchases`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ planId: plan!.id, phone: '0780123456' }),
    });
    expect(api.status).toBe(400);
    expect((await api.json()).error.message).toMatch(/Airtel number; M-Pesa works only with Safaricom/);
  });

  it('the receipt SMS is in the language the customer used at the portal', async () => {
    const receiptSms = async (number: string) => {
      await expect
        .poll(async () => {
          const rows = await query<{ body: string }>(
            h.app.deps.db,
            sql`SELECT m.body FROM sms_messages m JOIN purchases p ON p.id = m.purchase_id
                WHERE p.phone = ${`254${number.slice(1)}`} AND m.template = 'receipt'`,
          );
          return rows.length;
        })
        .toBe(1);
      const [row] = await query<{ body: string }>(
        h.app.deps.db,
        sql`SELECT m.body FROM sms_messages m JOIN purchases p ON p.id = m.purchase_id
            WHERE p.phone = ${`254${number.slice(1)}`} AND m.template = 'receipt'`,
      );
      return row!.body;
    };
    const sw = await device();
    await joinWifi(sw);
    await sw.page.getByRole('link', { name: 'Kiswahili' }).click();
    const swNumber = phone();
    await pay(sw, { plan: /^Saa 1/, phone: swNumber, payLabel: 'Lipa kwa M-Pesa' });
    await answerOnPhone(swNumber, 'Pay');
    await sw.page.getByRole('heading', { name: 'Uko mtandaoni' }).waitFor({ timeout: 30_000 });
    // Kiswahili throughout: the plan's Kiswahili name, and "msimbo" for the code.
    expect(await receiptSms(swNumber)).toMatch(
      /tumepokea KES 20 kwa Saa 1, M-Pesa \w+\. Msimbo wako wa WiFi/,
    );

    const en = await device();
    await joinWifi(en);
    const enNumber = phone();
    await pay(en, { plan: /^1 Hour/, phone: enNumber });
    await answerOnPhone(enNumber, 'Pay');
    await expectOnline(en);
    expect(await receiptSms(enNumber)).toMatch(/received KES 20/);
  });

  for (const js of [true, false]) {
    describe(js ? 'with JavaScript' : 'with JavaScript off', () => {
      it('a scanned ticket opens ready to connect, through the hotspot login or straight from the router', async () => {
        // Scanned before joining the WiFi's login page: the printed link, nothing else.
        const code = await voucherCode();
        const d = await device({ js });
        await d.page.goto(portalUrl(h.url, code));
        expect(await d.page.getByLabel('Voucher code').inputValue()).toBe(code);
        // The hotspot then sends the device to the portal: the code is still in the box.
        await joinWifi(d);
        expect(await d.page.getByLabel('Voucher code').inputValue()).toBe(code);
        await d.page.getByRole('button', { name: 'Connect' }).click();
        await connect(d);
        await expectOnline(d);

        // A ticket printed with the old /portal?code= link, opened with the router's variables.
        const old = await voucherCode();
        const e = await device({ js });
        await e.page.goto(
          `${h.url}/portal?code=${old}&mac=${encodeURIComponent(e.mac)}&ip=${e.ip}&router=demo-router`,
        );
        expect(await e.page.getByLabel('Voucher code').inputValue()).toBe(old);
        await e.page.getByRole('button', { name: 'Connect' }).click();
        await expectOnline(e);
      });

      it('counts down the time to enter the PIN', async () => {
        const d = await device({ js });
        if (js) await d.page.clock.install();
        await joinWifi(d);
        const number = phone();
        await pay(d, { plan: /^1 Hour/, phone: number });
        await d.page.getByRole('heading', { name: 'Check your phone' }).waitFor();
        await d.page.getByText('Time left to enter your PIN:').waitFor();
        const left = async () => {
          const [m, s] = (await d.page.locator('#left').innerText()).split(':').map(Number);
          return m! * 60 + s!;
        };
        const first = await left();
        expect(first).toBeGreaterThan(60);
        if (js) {
          await d.page.clock.runFor(10_000);
          expect(await left()).toBeLessThanOrEqual(first - 9);
        } else {
          // Without scripts the page refreshes itself every 3 s, with the server's time left.
          clock.advance(20_000);
          await d.page.waitForFunction((f) => {
            const [m, s] = document.getElementById('left')!.textContent!.split(':').map(Number);
            return m! * 60 + s! <= f - 20;
          }, first);
        }
        await answerOnPhone(number, 'Pay');
        await connect(d);
        await expectOnline(d);
      });

      it('"Try again" waits for M-Pesa\'s two minutes, counting down', async () => {
        const d = await device({ js });
        if (js) await d.page.clock.install();
        await joinWifi(d);
        const number = phone();
        await pay(d, { plan: /^3 Hours/, phone: number });
        await answerOnPhone(number, 'Cancel');
        await d.page.getByRole('heading', { name: 'Payment cancelled' }).waitFor({ timeout: 30_000 });
        const retry = d.page.getByRole('button', { name: /^Try again/ });
        await retry.click();
        await d.page.getByText(/Try again in \d+ seconds/).waitFor();
        expect(await retry.isDisabled()).toBe(true);
        const wait = Number(await d.page.locator('#wait').innerText());
        expect(wait).toBeGreaterThan(100);
        clock.advance(121_000);
        if (js) {
          await d.page.clock.runFor(60_000);
          expect(Number(await d.page.locator('#wait').innerText())).toBeLessThanOrEqual(wait - 59);
          expect(await retry.isDisabled()).toBe(true);
          await d.page.clock.runFor(wait * 1000);
          expect(await retry.isEnabled()).toBe(true);
        } else {
          // The page reloads itself, ready, when the time is up.
          const meta = await d.page.locator('meta[http-equiv=refresh]').getAttribute('content');
          expect(meta).toMatch(new RegExp(`^${wait};url=/portal/wait/`));
          expect(meta).not.toContain('e=wait');
          await d.page.goto(`${h.url}${meta!.split(';url=')[1]}`);
          expect(await retry.isEnabled()).toBe(true);
        }
        await retry.click();
        await d.page.getByRole('heading', { name: 'Check your phone' }).waitFor();
        await answerOnPhone(number, 'Pay');
        await connect(d);
        await expectOnline(d);
      });

      it('a locked M-Pesa PIN is not offered "Try again"', async () => {
        const d = await device({ js });
        await joinWifi(d);
        await pay(d, { plan: /^1 Hour/, phone: phone('8006') });
        await d.page.getByRole('heading', { name: 'M-Pesa PIN locked' }).waitFor({ timeout: 30_000 });
        await d.page.getByText('Call Safaricom on 100').waitFor();
        expect(await d.page.getByRole('button', { name: /Try again/ }).count()).toBe(0);
        await d.page.getByRole('link', { name: 'Choose another package' }).waitFor();
      });

      it('the Paybill page notices a payment by hand and connects', async () => {
        const d = await device({ js });
        await joinWifi(d);
        const number = phone();
        await pay(d, { plan: /^6 Hours/, phone: number });
        await d.page.getByRole('link', { name: 'Pay from the M-Pesa menu instead' }).click();
        await d.page.getByText('Pay only once').waitFor();
        const account = await d.page.locator('dd.big').nth(1).innerText();
        // The customer pays from the M-Pesa menu on the handset, ignoring the prompt.
        const handset = await h.context();
        const hp = await handset.newPage();
        await hp.goto(`${h.url}/sim/phone?phone=254${number.slice(1)}`);
        await hp.getByPlaceholder('account').fill(account);
        await hp.getByPlaceholder('amount').fill('100');
        await hp.getByRole('button', { name: 'Send' }).click();
        await hp.getByText('Sent.').waitFor();
        if (!d.js) await d.page.getByRole('link', { name: 'I have paid: check now' }).click();
        await connect(d);
        await expectOnline(d);
      });

      it('the online page shows the code (masked, with a reveal), the end time in EAT, data left and log out', async () => {
        const d = await device({ js });
        await joinWifi(d);
        const number = phone();
        await pay(d, { plan: /^1 Hour/, phone: number });
        await answerOnPhone(number, 'Pay');
        await connect(d);
        await expectOnline(d);
        const [row] = await query<{ code_sealed: string; expires_at: unknown }>(
          h.app.deps.db,
          sql`SELECT c.code_sealed, c.expires_at FROM purchases p JOIN access_codes c ON c.id = p.access_code_id
              WHERE p.phone = ${`254${number.slice(1)}`} AND p.status = 'paid'`,
        );
        const code = formatCode(h.app.deps.sealer.unseal(row!.code_sealed));
        const masked = `${code.slice(0, 2)}•••-•••${code.slice(-2)}`;
        await d.page.getByText(masked).waitFor({ timeout: 5000 });
        const full = d.page.locator('details .big');
        expect(await full.isVisible()).toBe(false);
        await d.page.locator('summary').click({ timeout: 5000 });
        expect(await full.innerText({ timeout: 5000 })).toBe(code);
        // Ends an hour after activation, in East Africa Time (UTC+3).
        const ends = await d.page.locator('dt:has-text("Ends") + dd').innerText({ timeout: 5000 });
        const at = new Date(
          String(row!.expires_at)
            .replace(' ', 'T')
            .replace(/\+00(:00)?$/, 'Z'),
        );
        const eat = new Date(at.getTime() + 3 * 3600_000).toISOString();
        expect(ends).toBe(
          `${eat.slice(11, 16)} EAT, ${eat.slice(8, 10)}/${eat.slice(5, 7)}/${eat.slice(0, 4)}`,
        );
        expect(await d.page.locator('dt:has-text("Data left") + dd').innerText({ timeout: 5000 })).toBe(
          'Unlimited',
        );
        await d.page.getByRole('link', { name: 'Log out' }).click();
        await d.page.getByRole('heading', { name: 'Logged out' }).waitFor({ timeout: 5000 });
        const active = demoRouterSim()!.router.list('/ip/hotspot/active');
        expect(active.map((a) => a['mac-address'])).not.toContain(d.mac);
        // Opened bare, without the router's variables: it says what it needs, not "not connected".
        await d.page.goto(`${h.url}/portal/status`);
        await d.page.getByRole('heading', { name: 'Which device is this?' }).waitFor();
        expect(await d.page.getByText('This device is not connected').count()).toBe(0);
      });
    });
  }
});
