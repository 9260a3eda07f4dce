/**
 * The operator's customer, code and voucher pages in a real browser: every M-Pesa buyer on the
 * Customers page, codes shown with batch and phone, generation options with the strength warning,
 * import with every skipped line and a file, whole-batch disable, and a single voucher reprinted
 * for a 58 mm roll. Screenshots go to ADMIN_SCREENSHOTS_DIR (docs/admin when refreshing the docs).
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashCode } from '../../src/access/codes.ts';
import { createAdminUser } from '../../src/admin/auth/users.ts';
import { type App, createApp } from '../../src/app/run.ts';
import { SYSTEM } from '../../src/audit/index.ts';
import { query } from '../../src/db/open.ts';
import { silentLog, testConfig } from '../helpers/app.ts';
import { CHROMIUM, haveChromium, launchChromium, signInPastSetup } from '../helpers/browser.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';

if (!haveChromium) console.warn(`voucher browser tests skipped: ${CHROMIUM} not found`);

const SHOTS = process.env.ADMIN_SCREENSHOTS_DIR ?? '.tmp/admin-screens';
let t: TestDatabase;
let app: App;
let browser: Browser;
let page: Page;
const rows = <T = Record<string, any>>(q: ReturnType<typeof sql>) => query<T>(app.deps.db, q);
const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });

beforeAll(async () => {
  if (!haveChromium) return;
  mkdirSync(SHOTS, { recursive: true });
  t = await createTestDatabase();
  app = await createApp({ config: testConfig(), roles: ['serve'], log: silentLog(), database: t.database });
  const deps = app.deps;
  await deps.db.transaction((tx) =>
    createAdminUser(tx, deps, {
      username: 'amina',
      password: 'a long owner password',
      role: 'owner',
      actor: SYSTEM,
    }),
  );
  // Two M-Pesa buyers (never cash), as the payment flow leaves them.
  for (const [i, phone] of ['254712300001', '254712300002'].entries()) {
    const id = randomUUID();
    const codeId = randomUUID();
    const code = `MPESACODE${i}`;
    const at = new Date(Date.now() - (i + 1) * 3_600_000);
    await rows(sql`INSERT INTO access_codes (id, code_hash, code_sealed, plan_id, kind, purchase_id, devices, clock, duration_seconds, phone, issued_at, updated_at)
                   VALUES (${codeId}, ${hashCode(deps.sealer, code)}, ${deps.sealer.seal(code)}, 2, 'purchase', ${id}, 1, 'wall', 10800, ${phone}, ${at}, ${at})`);
    await rows(sql`INSERT INTO purchases (id, ref, plan_id, phone, amount_kes, channel, status, mpesa_receipt, access_code_id, created_at, updated_at, paid_at)
                   VALUES (${id}, ${`WV${i}`}, 2, ${phone}, 50, 'stk', 'paid', ${`SKL00${i}`}, ${codeId}, ${at}, ${at}, ${at})`);
  }
  browser = await launchChromium();
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 860 }, colorScheme: 'light' });
  page = await ctx.newPage();
  page.setDefaultTimeout(15_000);
  page.on('dialog', (d) => d.accept());
  await signInPastSetup(page, app.url!, { username: 'amina', password: 'a long owner password' });
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  await t?.drop();
});

describe.skipIf(!haveChromium)('customers, codes and vouchers in a browser', () => {
  it('lists M-Pesa buyers as customers, with their codes', async () => {
    await page.getByRole('link', { name: 'Customers' }).click();
    await page.getByRole('cell', { name: '0712 300 001' }).waitFor();
    await page.getByRole('cell', { name: '0712 300 002' }).waitFor();
    await shot('30-customers');
    await page.getByRole('cell', { name: '0712 300 001' }).click();
    await page.getByRole('heading', { name: 'Codes' }).waitFor();
    await page.getByText('KES 50 in 1 paid purchase').waitFor();
    await shot('31-customer-detail');
  });

  it('makes a batch with a prefix, short digits and the strength warning', async () => {
    await page.getByRole('link', { name: 'Vouchers & codes' }).click();
    await page.getByRole('button', { name: 'Make vouchers' }).click();
    await page.getByLabel('Plan').selectOption({ label: '1 Hour' });
    await page.getByLabel('How many').fill('5');
    await page.getByLabel('Label (optional)').fill('Front desk');
    await page.getByLabel('Prefix (optional)').fill('hs');
    await page.getByLabel('Length (after the prefix)').fill('8');
    await page.getByLabel('Characters').selectOption('digits');
    await page.getByText('Weak codes: 26.5 bits, below 40.').waitFor();
    await page.getByLabel('Characters').selectOption('mixed');
    await page.getByLabel('Length (after the prefix)').fill('10');
    await page.getByText('Strength: 46.4 bits per code.').waitFor();
    await page.getByLabel('Characters').selectOption('digits');
    await page.getByLabel('Length (after the prefix)').fill('8');
    await shot('32-voucher-make-options');
    await page.getByRole('button', { name: 'Make', exact: true }).click();
    await page.getByText(/Made 5 vouchers \(26.5 bits each\)/).waitFor();
    await page
      .locator('code.code', { hasText: /^HS\d{8}$/ })
      .first()
      .waitFor();
    expect(await page.locator('code.code', { hasText: /^HS\d{8}$/ }).count()).toBe(5);
    await page.getByRole('cell', { name: 'Front desk' }).first().waitFor();
    await shot('33-codes-list');
  });

  it("imports pasted lines and a file, listing every skipped line, without the Make form's label", async () => {
    await page.getByRole('button', { name: 'Import' }).click();
    expect(await page.getByLabel('Label (optional)').inputValue()).toBe('');
    await page.getByLabel('Plan').selectOption({ label: '1 Hour' });
    const dir = mkdtempSync(join(tmpdir(), 'wavu-import-'));
    const file = join(dir, 'mikhmon.csv');
    writeFileSync(
      file,
      'username,password,profile\nQWERTY7,QWERTY7,1h\nab,ab,1h\nHOSTEL9K,HOSTEL9K,1h\nHOSTEL9K,HOSTEL9K,1h\n',
    );
    await page.getByLabel('…or a file (.rsc, .csv, .txt)').setInputFiles(file);
    await page.getByRole('button', { name: 'Import', exact: true }).last().click();
    await page.getByText('Imported 2; 2 line(s) skipped:').waitFor();
    await page.getByText(/Line 3: ab — a code must be 6 to 32 characters/).waitFor();
    await page.getByText(/Line 5: HOSTEL9K — duplicate of line 4/).waitFor();
    rmSync(dir, { recursive: true });
    await shot('34-voucher-import');
    const b = await rows<{ label: string }>(sql`SELECT label FROM voucher_batches WHERE source = 'imported'`);
    expect(b).toEqual([{ label: 'mikhmon.csv' }]);
  });

  it('reprints one voucher for a 58 mm roll and disables a batch', async () => {
    await page.locator('code.code', { hasText: /^HS/ }).first().click();
    await page.getByText('Reprint').waitFor();
    const code = (await page.locator('dd code.code').textContent())!;
    await shot('35-code-detail');
    const [sheet] = await Promise.all([
      page.waitForEvent('popup'),
      page.getByRole('link', { name: '58 mm', exact: true }).click(),
    ]);
    await sheet.waitForLoadState();
    expect(await sheet.locator('section.t').count()).toBe(1);
    expect(await sheet.locator('.c').textContent()).toBe(`${code.slice(0, 5)} ${code.slice(5)}`);
    await sheet.screenshot({ path: join(SHOTS, '36-voucher-reprint-58mm.png'), fullPage: true });
    await sheet.close();
    await page.getByRole('button', { name: /Codes/ }).click();
    const before = await rows(
      sql`SELECT count(*)::int AS n FROM access_codes WHERE code_sealed IS NOT NULL AND status = 'revoked'`,
    );
    expect(before[0]!.n).toBe(0);
    await page.getByRole('button', { name: 'Disable' }).first().click();
    await page.getByText(/Disabled: \d+ unused code\(s\) no longer work/).waitFor();
    const after = await rows<{ n: number }>(
      sql`SELECT count(*)::int AS n FROM access_codes WHERE status = 'revoked'`,
    );
    expect(after[0]!.n).toBeGreaterThan(0);
    await shot('37-voucher-batches-actions');
  });

  it('edits the print template with a live preview; an unknown placeholder is refused; the next print uses it', async () => {
    await page.goto(`${app.url}/admin/voucher-template`);
    const box = page.getByLabel('Template');
    await box.waitFor();
    const frame = page.frameLocator('iframe.template-preview');
    await frame.locator('body', { hasText: /./ }).waitFor();
    await box.fill('{{business}}\nCode: {{code}}\nColour: {{colour}}');
    await page
      .getByText(/colour/i)
      .filter({ hasText: /placeholder|unknown/i })
      .first()
      .waitFor();
    await page.getByRole('button', { name: 'Save template' }).click();
    await page
      .getByText(/colour/i)
      .filter({ hasText: /placeholder|unknown/i })
      .first()
      .waitFor();
    expect(await rows(sql`SELECT 1 FROM settings WHERE key = 'voucher_template'`)).toEqual([]);
    await box.fill('{{business}}\nCode: {{code}}\n{{password}}\nAsk for Wanjiku at the counter');
    await frame.getByText('Ask for Wanjiku at the counter').waitFor();
    await shot('45-voucher-template');
    await page.getByRole('button', { name: 'Save template' }).click();
    await page.getByText('Saved').waitFor();
    await page.goto(`${app.url}/admin/vouchers`);
    await page.locator('code.code', { hasText: /^HS/ }).first().click();
    const [sheet] = await Promise.all([
      page.waitForEvent('popup'),
      page.getByRole('link', { name: '58 mm', exact: true }).click(),
    ]);
    await sheet.waitForLoadState();
    expect(await sheet.locator('section.t').first().textContent()).toContain(
      'Ask for Wanjiku at the counter',
    );
    await sheet.close();
    await page.goto(`${app.url}/admin/voucher-template`);
    await page.getByRole('button', { name: 'Reset to default' }).click();
    await page.getByText('Saved').waitFor();
  });
});
