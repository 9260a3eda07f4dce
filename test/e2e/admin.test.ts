/**
 * The admin dashboard in a real browser (Debian's Chromium through playwright-core): first-owner
 * setup, sign-in, a new plan, a voucher sold for cash, finding a payment and its timeline,
 * disconnecting a session, changing a setting, on a phone-sized screen and in dark mode.
 * Screenshots go to ADMIN_SCREENSHOTS_DIR (docs/admin when refreshing the docs), else .tmp.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, createApp } from '../../src/app/run.ts';
import { query } from '../../src/db/open.ts';
import { silentLog, testConfig } from '../helpers/app.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { SYSTEM } from '../../src/audit/index.ts';
import { createAdminUser } from '../../src/admin/auth/users.ts';
import { CHROMIUM, closeSetup, haveChromium, launchChromium } from '../helpers/browser.ts';
import { expectNoSeriousAxeIssues, expectRoutesAccessible } from '../helpers/axe.ts';

if (!haveChromium)
  console.warn(`admin browser tests skipped: ${CHROMIUM} not found (apt-get install chromium)`);

const SHOTS = process.env.ADMIN_SCREENSHOTS_DIR ?? '.tmp/admin-screens';
const OWNER = { username: 'amina', password: 'a long owner password' };
/** Every page in the nav, plus the account page: each is checked with axe-core below. */
const ADMIN_PAGES = [
  'dashboard',
  'purchases',
  'vouchers',
  'sessions',
  'subscribers',
  'customers',
  'troubleshoot',
  'reconciliation',
  'alerts',
  'plans',
  'voucher-template',
  'payment-accounts',
  'routers',
  'settings',
  'staff',
  'audit',
  'setup',
  'account',
];

let t: TestDatabase;
let app: App;
let browser: Browser;
let page: Page;
let base: string;

const shot = (name: string, fullPage = true) =>
  page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage });
const rows = <T = Record<string, any>>(q: ReturnType<typeof sql>) => query<T>(app.deps.db, q);

/** A few weeks of sales so the charts have something to draw. */
async function seed() {
  const [router] = await rows<{ id: number }>(
    sql`INSERT INTO routers (name, mode, host, site) VALUES ('kahawa-west', 'api', '10.10.0.1', 'Kahawa West') RETURNING id`,
  );
  const now = Date.now();
  for (let i = 0; i < 60; i++) {
    const at = new Date(now - (i % 14) * 86_400_000 - i * 600_000);
    const id = randomUUID();
    const code = randomUUID();
    const plan = (i % 4) + 1;
    const price = [20, 50, 100, 300][plan - 1]!;
    const failed = i % 7 === 3;
    if (!failed) {
      await rows(sql`INSERT INTO access_codes (id, code_hash, code_sealed, plan_id, kind, purchase_id, devices, clock, duration_seconds, issued_at, updated_at, phone)
                     VALUES (${code}, ${`seed-${code}`}, ${app.deps.sealer.seal(code.slice(0, 10).toUpperCase())}, ${plan}, 'purchase', ${id}, 1, 'wall', 3600, ${at}, ${at}, ${`2547120000${String(i % 50).padStart(2, '0')}`})`);
    }
    await rows(sql`INSERT INTO purchases (id, ref, plan_id, phone, amount_kes, channel, status, result_code, result_desc, mpesa_receipt,
                                          checkout_request_id, router_id, access_code_id, created_at, updated_at, paid_at, failed_at)
                   VALUES (${id}, ${`WV${1000 + i}`}, ${plan}, ${`2547120000${String(i % 50).padStart(2, '0')}`}, ${price}, 'stk',
                           ${failed ? 'failed' : 'paid'}, ${failed ? '1032' : '0'}, ${failed ? 'Request cancelled by user' : 'The service request is processed successfully.'},
                           ${failed ? null : `SKL${String(1000000 + i)}`}, ${`ws_CO_${i}`}, ${router!.id}, ${failed ? null : code},
                           ${at}, ${at}, ${failed ? null : at}, ${failed ? at : null})`);
    if (!failed) {
      await rows(sql`INSERT INTO callback_inbox (kind, received_at, body, checkout_request_id, purchase_id, outcome, processed_at)
                     VALUES ('stk', ${new Date(at.getTime() + 6000)}, ${JSON.stringify({ Body: { stkCallback: { ResultCode: 0, CheckoutRequestID: `ws_CO_${i}` } } })}::jsonb,
                             ${`ws_CO_${i}`}, ${id}, 'credited', ${new Date(at.getTime() + 6000)})`);
      await rows(sql`INSERT INTO sessions (id, access_code_id, router_id, mac, ip, status, started_at, updated_at)
                     VALUES (${randomUUID()}, ${code}, ${router!.id}, ${`AA:BB:CC:00:00:${String(i).padStart(2, '0')}`}, ${`10.5.50.${i + 2}`},
                             ${i < 3 ? 'active' : 'closed'}, ${new Date(at.getTime() + 9000)}, ${new Date(at.getTime() + 60_000)})`);
    }
  }
}

beforeAll(async () => {
  if (!haveChromium) return;
  mkdirSync(SHOTS, { recursive: true });
  t = await createTestDatabase();
  app = await createApp({ config: testConfig(), roles: ['serve'], log: silentLog(), database: t.database });
  base = app.url!;
  await seed();
  browser = await launchChromium();
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 860 }, colorScheme: 'light' });
  page = await ctx.newPage();
  page.setDefaultTimeout(10_000);
  await page.addInitScript(() => {
    const w = window as unknown as { cls: number };
    w.cls = 0;
    new PerformanceObserver((list) => {
      for (const e of list.getEntries() as (PerformanceEntry & { value: number; hadRecentInput: boolean })[])
        if (!e.hadRecentInput) w.cls += e.value;
    }).observe({ type: 'layout-shift', buffered: true });
  });
  page.on('dialog', (d) => d.accept());
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  await t?.drop();
});

/** Layout shift so far on the page (Chromium's layout-shift entries, as the CLS metric adds them). */
const layoutShift = () => page.evaluate(() => (window as unknown as { cls: number }).cls);

describe.skipIf(!haveChromium)('admin dashboard in a browser', () => {
  it('loads the sign-in page with only the shell, compressed', async () => {
    const ctx = await browser.newContext();
    const p = await ctx.newPage();
    const js: { url: string; encoding: string | undefined; bytes: number }[] = [];
    p.on('response', async (r) => {
      if (!r.url().endsWith('.js')) return;
      const body = await r.body().catch(() => Buffer.alloc(0));
      js.push({ url: r.url(), encoding: r.headers()['content-encoding'], bytes: body.length });
    });
    await p.goto(`${base}/admin`);
    await p.getByText('Create the owner account').waitFor();
    await expectNoSeriousAxeIssues(p);
    await p.waitForLoadState('networkidle');
    await ctx.close();
    // Only the entry chunk and what it shares, never a page's own chunk; all compressed.
    expect(js.length).toBeGreaterThan(0);
    expect(js.filter((j) => /\/(dashboard|routers|settings|vouchers|purchases)-/.test(j.url))).toEqual([]);
    for (const j of js) expect(['br', 'gzip']).toContain(j.encoding);
    const sizes = await Promise.all(
      js.map(async (j) => {
        const r = await fetch(j.url, { headers: { 'accept-encoding': 'br' } });
        return Number(r.headers.get('content-length'));
      }),
    );
    const wire = sizes.reduce((n, b) => n + b, 0);
    console.log(
      `sign-in page JS: ${js.length} files, ${js.reduce((n, j) => n + j.bytes, 0)} bytes, ${wire} bytes brotli on the wire`,
    );
    // 321 KB uncompressed in one file before the split: now under a third of that.
    expect(wire).toBeLessThan(100_000);
  });

  it('creates the first owner on the setup page', async () => {
    await page.goto(`${base}/admin`);
    await page.getByText('Create the owner account').waitFor();
    await shot('01-setup');
    await expectNoSeriousAxeIssues(page);
    await page.getByLabel('Username').fill(OWNER.username);
    await page.getByLabel('Password (at least 10 characters)').fill(OWNER.password);
    await page.getByLabel('Password again').fill(OWNER.password);
    await page.getByRole('button', { name: 'Create owner and sign in' }).click();
    await closeSetup(page);
    const users = await rows(sql`SELECT username, role FROM admin_users`);
    expect(users).toEqual([{ username: 'amina', role: 'owner' }]);
  });

  it('shows the dashboard with revenue and sessions charts, without the layout jumping', async () => {
    await page.goto(`${base}/admin/dashboard`);
    await page.getByText('Revenue per day (KES)').waitFor();
    await page.waitForLoadState('networkidle');
    const cls = await layoutShift();
    console.log(`dashboard layout shift: ${cls.toFixed(3)}`);
    expect(cls).toBeLessThan(0.1);
    expect(await page.locator('.chart rect.bar').count()).toBeGreaterThan(20);
    await shot('02-dashboard');
  });

  it('signs out and back in', async () => {
    const sessions = async () =>
      (await rows<{ id: string }>(sql`SELECT id FROM admin_sessions`)).map((r) => r.id);
    const before = await sessions();
    expect(before).toHaveLength(1);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    expect(await sessions()).toEqual([]);
    await page.getByLabel('Username').fill(OWNER.username);
    await page.getByLabel('Password').fill('wrong password here');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('Wrong username or password.').waitFor();
    expect(await sessions()).toEqual([]);
    await shot('03-login-wrong');
    await expectNoSeriousAxeIssues(page);
    await page.getByLabel('Password').fill(OWNER.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    const after = await sessions();
    expect(after).toHaveLength(1);
    expect(after).not.toEqual(before);
  });

  it('creates a plan', async () => {
    await page.getByRole('link', { name: 'Plans' }).click();
    await page.getByRole('button', { name: 'New plan' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Weekly Student');
    await page.getByLabel('Name in Kiswahili (optional)').fill('Wiki ya mwanafunzi');
    await page.getByLabel('Price (KES)').fill('700');
    await page.getByLabel('Hours').fill('168');
    await page.getByLabel('Devices').fill('2');
    await page.getByLabel('Data cap GB (empty = none)').fill('20');
    await page.getByLabel('Slow down after the data cap instead of cutting off').check();
    await page.getByLabel('Fair-use speed, upload/download (e.g. 512k/512k)').fill('1M/1M');
    await page.getByLabel('Remind by SMS, minutes before expiry (empty = off)').fill('60');
    await shot('17-plan-form');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('cell', { name: 'Weekly Student' }).waitFor();
    await page.getByRole('cell', { name: 'slowed to 1M/1M' }).waitFor();
    await shot('04-plans');
    const p = await rows(
      sql`SELECT price_kes, duration_seconds, devices, name_sw, (data_cap_bytes / 1000000000)::int AS cap_gb,
                 fair_use_rate, remind_minutes
          FROM plans WHERE name = 'Weekly Student'`,
    );
    expect(p).toEqual([
      {
        price_kes: 700,
        duration_seconds: 604_800,
        devices: 2,
        name_sw: 'Wiki ya mwanafunzi',
        cap_gb: 20,
        fair_use_rate: '1M/1M',
        remind_minutes: 60,
      },
    ]);
  });

  it('sells a voucher for cash and shows its code to print', async () => {
    await page.getByRole('link', { name: 'Vouchers & codes' }).click();
    await page.getByRole('button', { name: 'Sell a voucher' }).click();
    await page.getByLabel('Plan').selectOption({ label: 'Weekly Student — KES 700' });
    await page.getByRole('button', { name: 'Record sale and get code' }).click();
    const code = (await page.getByTestId('sold-code').textContent())!.replace('-', '');
    expect(code).toMatch(/^[A-Z0-9]{10}$/);
    await shot('05-voucher-sold');
    const sale = await rows(sql`SELECT status, channel, amount_kes FROM purchases WHERE channel = 'cash'`);
    expect(sale).toEqual([{ status: 'paid', channel: 'cash', amount_kes: 700 }]);
  });

  it('makes a batch of vouchers and prints it', async () => {
    await page.getByRole('button', { name: 'Close' }).click();
    await page.getByRole('button', { name: 'Make vouchers' }).click();
    await page.getByLabel('Plan').selectOption({ label: '3 Hours' });
    await page.getByLabel('How many').fill('12');
    await page.getByLabel('Label (optional)').fill('Front desk');
    await page.getByRole('button', { name: 'Make', exact: true }).click();
    await page.getByText(/Made 12 vouchers/).waitFor();
    await page.locator('td[data-label="Label"]', { hasText: 'Front desk' }).waitFor();
    await shot('06-voucher-batches');
    const [sheet] = await Promise.all([
      page.waitForEvent('popup'),
      page.getByRole('link', { name: 'Print A4', exact: true }).click(),
    ]);
    await sheet.waitForLoadState();
    expect(await sheet.locator('svg').count()).toBe(12);
    await sheet.screenshot({ path: join(SHOTS, '07-voucher-print.png'), fullPage: true });
    await sheet.close();
    const audit = await rows(sql`SELECT action FROM audit_log WHERE action LIKE 'voucher.%' ORDER BY id`);
    expect(audit.map((a) => a.action)).toEqual(['voucher.batch_create', 'voucher.print']);
  });

  it('finds a payment by phone and shows its timeline', async () => {
    await page.getByRole('link', { name: 'Payments' }).click();
    await page.getByLabel('Search payments').fill('0712 000 007');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('cell', { name: '0712 000 007' }).first().waitFor();
    expect(await page.locator('tbody tr').count()).toBe(2);
    await shot('08-payments-search');
    await page.locator('tbody tr').first().click();
    await page.getByRole('heading', { name: 'Timeline' }).waitFor();
    await page.getByText('Callback stk → credited').waitFor();
    // A healthy payment: retrying the grant is there, but not the main button.
    expect(await page.getByRole('button', { name: 'Retry grant' }).getAttribute('class')).toBe('ghost');
    await shot('09-payment-detail');
  });

  it('disconnects a live session', async () => {
    await page.getByRole('link', { name: 'Sessions' }).click();
    await page.getByRole('button', { name: 'Disconnect' }).first().waitFor();
    expect(await page.getByRole('button', { name: 'Disconnect' }).count()).toBe(3);
    await shot('10-sessions');
    await page.getByRole('button', { name: 'Disconnect' }).first().click();
    await page.getByText('disconnecting…').waitFor();
    const jobs = await rows(sql`SELECT kind FROM jobs WHERE kind = 'gateway.disconnect'`);
    expect(jobs).toHaveLength(1);
  });

  it('changes a setting', async () => {
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByLabel('Business name').fill('Kahawa Cyber');
    await page.getByRole('button', { name: 'Save branding' }).click();
    await page.getByText('Saved.').waitFor();
    await shot('11-settings');
    const [s] = await rows<{ value: any }>(sql`SELECT value FROM settings WHERE key = 'branding'`);
    expect((typeof s!.value === 'string' ? JSON.parse(s!.value) : s!.value).name).toBe('Kahawa Cyber');
    const audit = await rows(sql`SELECT action FROM audit_log WHERE actor = 'amina' ORDER BY id`);
    expect(audit.map((a) => a.action)).toEqual(
      expect.arrayContaining([
        'plan.create',
        'purchase.cash_sale',
        'session.disconnect',
        'settings.branding',
      ]),
    );
  });

  // One test per page (light, then dark), so a page added to ADMIN_PAGES is one more line.
  const accessible = async (paths: string[]) => {
    const urls = paths.map((p) => `${base}/admin/${p}`);
    await expectRoutesAccessible(page, urls);
    await page.emulateMedia({ colorScheme: 'dark' });
    await expectRoutesAccessible(page, urls);
    await page.emulateMedia({ colorScheme: 'light' });
  };
  it('lists every nav page for axe-core', async () => {
    expect(await page.locator('nav.side a').count()).toBe(ADMIN_PAGES.length - 1);
  });
  for (const p of ADMIN_PAGES)
    it(`has no serious or critical axe-core issue: ${p}`, async () => accessible([p]));
  it('has no serious or critical axe-core issue: detail pages', async () => {
    const first = async (q: ReturnType<typeof sql>) => (await rows<{ id: string }>(q))[0]?.id;
    const details = [
      ['purchases', await first(sql`SELECT id FROM purchases WHERE status = 'paid' LIMIT 1`)],
      ['vouchers', await first(sql`SELECT id FROM access_codes LIMIT 1`)],
      ['customers', await first(sql`SELECT id FROM customers LIMIT 1`)],
    ].flatMap(([name, id]) => (id ? [`${name}/${id}`] : []));
    expect(details.length).toBeGreaterThanOrEqual(2);
    await accessible(details);
  });

  it('warns on the Routers page that a loopback PUBLIC_URL is no use to routers', async () => {
    await page.getByRole('link', { name: 'Routers' }).click();
    await page.getByRole('alert').filter({ hasText: 'only this computer can reach' }).waitFor();
    await page.getByRole('cell', { name: 'kahawa-west' }).waitFor();
    await shot('15-routers');
    await page.getByRole('button', { name: 'Add router' }).click();
    expect(await page.getByLabel('Transport').inputValue()).toBe('api-tls');
    await shot('16-router-add');
  });

  it('works on a phone-sized screen and in dark mode', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.getByRole('button', { name: 'Menu' }).click();
    await page.getByRole('link', { name: 'Dashboard' }).click();
    await page.getByText('Revenue per day (KES)').waitFor();
    const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(bg).toBe('rgb(18, 22, 20)');
    await shot('12-phone-dark-dashboard');
    await page.getByRole('button', { name: 'Menu' }).click();
    await page.getByRole('link', { name: 'Payments' }).click();
    await page.locator('tbody tr').first().waitFor();
    await shot('13-phone-dark-payments', false);
  });

  it('shows a cashier only the pages and buttons the policy allows a cashier', async () => {
    const cashier = { username: 'baraka', password: 'a long cashier password' };
    await app.deps.db.transaction((tx) =>
      createAdminUser(tx, app.deps, { ...cashier, role: 'cashier', actor: SYSTEM }),
    );
    await page.setViewportSize({ width: 1280, height: 860 });
    await page.emulateMedia({ colorScheme: 'light' });
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Username').fill(cashier.username);
    await page.getByLabel('Password').fill(cashier.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    // Signed in where the owner left off (the Payments page): the account button says who it is.
    await page.getByRole('button', { name: 'baraka · cashier' }).waitFor();
    const nav = await page.locator('nav.side a').allTextContents();
    expect(nav).toEqual([
      'Dashboard',
      'Payments',
      'Vouchers & codes',
      'Sessions',
      'Subscribers',
      'Customers',
      'Troubleshoot',
      'Plans',
      'Routers',
    ]);
    await page.getByRole('link', { name: 'Vouchers & codes' }).click();
    await page.getByRole('button', { name: 'Make vouchers' }).waitFor();
    expect(await page.getByRole('button', { name: 'Sell a voucher' }).count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Import' }).count()).toBe(0);
    expect(await page.getByRole('link', { name: 'CSV' }).count()).toBe(0);
    await shot('14-cashier-vouchers');
    await page.getByRole('link', { name: 'Plans' }).click();
    await page.getByRole('cell', { name: 'Weekly Student' }).waitFor();
    expect(await page.getByRole('button', { name: 'New plan' }).count()).toBe(0);
    await page.getByRole('link', { name: 'Sessions' }).click();
    await page.locator('tbody tr').first().waitFor();
    expect(await page.getByRole('button', { name: 'Disconnect' }).count()).toBe(0);
  });
});
