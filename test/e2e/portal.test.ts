import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatCode } from '../../src/access/codes.ts';
import { issueForPurchase } from '../../src/access/issue-for-purchase.ts';
import { modules } from '../../src/app/modules.ts';
import { type App, createApp } from '../../src/app/run.ts';
import { query } from '../../src/db/open.ts';
import { OffsetClock } from '../../src/lib/clock.ts';
import { darajaSimModule } from '../../src/sim/daraja/module.ts';
import { demoRouterSim } from '../../src/sim/routeros/module.ts';
import { silentLog, testConfig } from '../helpers/app.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { externalReferences, unlabelledInputs } from '../portal/page-checks.ts';
import { CHROMIUM, haveChromium, launchChromium } from '../helpers/browser.ts';

if (!haveChromium) {
  process.stderr.write(
    `\n[portal e2e] SKIPPED: no Chromium at ${CHROMIUM} (Debian: apt-get install -y chromium).\n\n`,
  );
}

let t: TestDatabase;
let app: App;
let url: string;
let browser: Browser;
const clock = new OffsetClock();
const contexts: BrowserContext[] = [];
let deviceNo = 0;
let phoneNo = 0;

/** A device on the hotspot: its own browser (cookies, JS setting), MAC and IP. */
async function device(o: { js?: boolean } = {}) {
  deviceNo++;
  const hex = (deviceNo + 16).toString(16).padStart(2, '0').toUpperCase();
  const mac = `A4:5E:60:10:20:${hex}`;
  const ip = `10.5.50.${deviceNo + 10}`;
  const context = await browser.newContext({
    viewport: { width: 360, height: 740 },
    javaScriptEnabled: o.js !== false,
  });
  contexts.push(context);
  const page = await context.newPage();
  // Anything outside our own server would be blocked by the walled garden: fail loudly instead.
  const outside: string[] = [];
  const requests: string[] = [];
  page.on('request', (r) => {
    requests.push(r.url());
    if (!r.url().startsWith(url) && !r.url().startsWith('data:')) outside.push(r.url());
  });
  return { mac, ip, page, js: o.js !== false, outside, requests };
}
type Device = Awaited<ReturnType<typeof device>>;

/** A phone number that is not one of the simulator's magic endings. */
function phone(ending?: string): string {
  phoneNo++;
  const base = `0712${String(100_000 + deviceNo * 100 + phoneNo).slice(-6)}`;
  return ending ? base.slice(0, 10 - ending.length) + ending : base;
}

/** Join the WiFi: the router's login page sends the browser to the portal. */
async function joinWifi(d: Device): Promise<void> {
  await d.page.goto(`${url}/sim/hotspot/login?mac=${encodeURIComponent(d.mac)}&ip=${d.ip}`);
  if (!d.js) await d.page.getByRole('button', { name: 'Continue' }).click();
  await d.page.waitForURL(/\/portal\?/);
}

async function pay(d: Device, o: { plan: RegExp; phone: string; payLabel?: string }): Promise<void> {
  await d.page.getByRole('radio', { name: o.plan }).check();
  await d.page
    .getByLabel(/M-Pesa/)
    .first()
    .fill(o.phone);
  await d.page.getByRole('button', { name: o.payLabel ?? 'Pay with M-Pesa' }).click();
  await d.page.waitForURL(/\/portal\/wait\//);
}

/** The customer's handset: answer the STK prompt for this phone on the simulator's phone page. */
async function answerOnPhone(number: string, action: 'Pay' | 'Cancel' | 'Wrong PIN' | 'No money') {
  const ctx = await browser.newContext();
  contexts.push(ctx);
  const p = await ctx.newPage();
  const normal = `254${number.slice(1)}`;
  for (let i = 0; i < 100; i++) {
    await p.goto(`${url}/sim/phone?phone=${normal}`);
    const button = p.getByRole('button', { name: action, exact: true });
    if ((await button.count()) > 0) {
      await button.first().click();
      await ctx.close();
      return;
    }
    await p.waitForTimeout(100);
  }
  throw new Error(`no M-Pesa prompt reached ${number}`);
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

/** Without JavaScript the connect page needs one tap; with it, it submits itself. */
async function connect(d: Device, label = 'Connect'): Promise<void> {
  if (d.js) return;
  const button = d.page.getByRole('button', { name: label, exact: true });
  await button.waitFor({ timeout: 30_000 });
  await button.click();
}

async function expectOnline(d: Device, heading = 'You are online'): Promise<void> {
  await d.page.getByRole('heading', { name: heading }).waitFor({ timeout: 30_000 });
  expect(d.page.url()).toMatch(/\/portal\/status\?/);
  const active = demoRouterSim()!.router.list('/ip/hotspot/active');
  expect(active.map((a) => a['mac-address'])).toContain(d.mac);
  expect(d.outside).toEqual([]);
}

/** Check the page in the browser too: size on the wire, no other hosts, labels. */
async function checkPage(d: Device): Promise<void> {
  const html = await d.page.content();
  // The router's login and log-out pages, and the page the customer first asked for.
  expect(
    externalReferences(html, [
      `${url}/sim/hotspot/login`,
      `${url}/sim/hotspot/logout`,
      'http://example.com/',
    ]),
  ).toEqual([]);
  expect(unlabelledInputs(html)).toEqual([]);
  const width = await d.page.evaluate(() => document.documentElement.scrollWidth);
  expect(width).toBeLessThanOrEqual(360);
}

async function voucherCode(): Promise<string> {
  const [plan] = await query<{ id: number }>(app.deps.db, sql`SELECT id FROM plans WHERE name = '1 Hour'`);
  const r = await app.deps.db.transaction((tx) =>
    issueForPurchase(tx, app.deps, {
      purchaseId: randomUUID(),
      planId: plan!.id,
      phone: null,
      mac: null,
      routerId: null,
      purpose: 'voucher',
    }),
  );
  return r.code;
}

describe.skipIf(!haveChromium)('captive portal in a browser', () => {
  beforeAll(async () => {
    t = await createTestDatabase();
    const config = testConfig();
    app = await createApp({
      config,
      roles: ['serve', 'worker'],
      log: silentLog(),
      database: t.database,
      clock,
      // The M-Pesa simulator keeps the app's time, so "two minutes later" is the same for both.
      modules: [
        ...modules.filter((m) => m.name !== 'sim-daraja'),
        darajaSimModule({ options: { now: () => clock.now() } }),
      ],
      workerOptions: { pollMs: 100 },
    });
    // Ephemeral port: the router's login page and M-Pesa need to know where we are.
    url = app.url!.replace('0.0.0.0', '127.0.0.1');
    config.publicUrl = url;
    config.mpesa.baseUrl = `${url}/sim/daraja`;
    browser = await launchChromium();
  });

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await app?.stop();
    await t?.drop();
  });

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
          app.deps.db,
          sql`SELECT c.code_sealed FROM purchases p JOIN access_codes c ON c.id = p.access_code_id
              WHERE p.phone = ${`254${number.slice(1)}`} AND p.status = 'paid'`,
        );
        await d.page.getByText(formatCode(app.deps.sealer.unseal(row!.code_sealed))).waitFor();
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
          app.deps.db,
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
      `${url}/portal/voucher?code=${code}&mac=${encodeURIComponent(d.mac)}&ip=${d.ip}&router=demo-router`,
    );
    await d.page.getByRole('button', { name: 'Connect' }).click();
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
