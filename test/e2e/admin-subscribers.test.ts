/**
 * The subscribers page in a real browser: add a subscriber, edit them, suspend and resume, change
 * plan with the prorated price shown before confirming, each checked in the database.
 * Screenshots go to ADMIN_SCREENSHOTS_DIR (docs/admin when refreshing the docs).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdminUser } from '../../src/admin/auth/users.ts';
import { type App, createApp } from '../../src/app/run.ts';
import { SYSTEM } from '../../src/audit/index.ts';
import { query } from '../../src/db/open.ts';
import { addRouter } from '../../src/gateways/index.ts';
import { silentLog, testConfig } from '../helpers/app.ts';
import { expectNoSeriousAxeIssues, settled } from '../helpers/axe.ts';
import { CHROMIUM, haveChromium, launchChromium, signInPastSetup } from '../helpers/browser.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';

if (!haveChromium) console.warn(`subscriber browser tests skipped: ${CHROMIUM} not found`);

const SHOTS = process.env.ADMIN_SCREENSHOTS_DIR ?? '.tmp/admin-screens';
let t: TestDatabase;
let app: App;
let browser: Browser;
let page: Page;
const row = async (username: string) =>
  (
    await query<Record<string, any>>(
      app.deps.db,
      sql`SELECT s.*, p.name AS plan FROM subscribers s JOIN service_plans p ON p.id = s.service_plan_id
          WHERE username = ${username}`,
    )
  )[0]!;
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
  await addRouter(
    deps,
    { mode: 'radius', name: 'kilimani', address: '10.0.0.2', site: 'Kilimani' } as never,
    {
      actor: SYSTEM,
    },
  );
  browser = await launchChromium();
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 860 }, colorScheme: 'light' });
  page = await ctx.newPage();
  page.setDefaultTimeout(15_000);
  await signInPastSetup(page, app.url!, { username: 'amina', password: 'a long owner password' });
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  await t?.drop();
});

describe.skipIf(!haveChromium)('subscribers in a browser', () => {
  it('adds, edits, suspends, resumes, moves a subscriber to another plan and resends it to the router', async () => {
    await page.getByRole('link', { name: 'Subscribers' }).click();
    await page.getByRole('heading', { name: 'Service plans' }).waitFor();
    await page.getByRole('button', { name: 'Add subscriber' }).click();
    const form = page.locator('form', { has: page.getByRole('heading', { name: 'New subscriber' }) });
    await form.locator('input[name=username]').fill('jane.k');
    await form.locator('input[name=password]').fill('s3cret-pw');
    await form.locator('input[name=name]').fill('Jane Kamau');
    await form.locator('input[name=phone]').fill('0712 345 678');
    await form.locator('select[name=router]').selectOption({ label: 'kilimani' });
    // Paid up to a date in the future, so a plan change has days left to price.
    const paidUntil = new Date(Date.now() + 12 * 86_400_000 + 3 * 3_600_000).toISOString().slice(0, 10);
    await form.locator('input[name=dueAt]').fill(paidUntil);
    await form.getByRole('button', { name: 'Add subscriber' }).click();
    await page.getByText('Amount due now').waitFor();
    let r = await row('jane.k');
    expect(r).toMatchObject({
      name: 'Jane Kamau',
      phone: '254712345678',
      state: 'active',
      plan: 'Home 5 Mbps',
    });
    expect(app.deps.sealer.unseal(r.password_sealed)).toBe('s3cret-pw');
    await shot('46-subscriber');
    await settled(page);
    await expectNoSeriousAxeIssues(page, 'subscriber detail');

    await page.getByRole('button', { name: 'Edit' }).click();
    await page.locator('input[name=name]').fill('Jane W. Kamau');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('heading', { name: /Jane W\. Kamau/ }).waitFor();
    expect((await row('jane.k')).name).toBe('Jane W. Kamau');

    await page.getByRole('button', { name: 'Suspend' }).click();
    await page.getByRole('button', { name: 'Resume' }).waitFor();
    expect((await row('jane.k')).state).toBe('suspended');
    await page.getByRole('button', { name: 'Resume' }).click();
    await page.getByRole('button', { name: 'Suspend' }).waitFor();
    expect((await row('jane.k')).state).toBe('active');

    await page.locator('select[name=plan]').selectOption({ value: 'Home 10 Mbps' });
    const text = page.locator('.proration');
    await text.waitFor();
    expect(await text.textContent()).toMatch(
      /^Moving from Home 5 Mbps to Home 10 Mbps with \d+ of \d+ days left: KES \d+ due now\.$/,
    );
    await shot('47-subscriber-plan-change');
    await expectNoSeriousAxeIssues(page, 'subscriber plan change');
    const owed = Number((await text.textContent())!.match(/KES (\d+)/)![1]);
    await page.getByRole('button', { name: 'Confirm change' }).click();
    await page.getByText(/owed from a plan change/).waitFor();
    r = await row('jane.k');
    expect(r.plan).toBe('Home 10 Mbps');
    expect(Number(r.owed_kes)).toBe(owed);
    const [jobs] = await query<{ n: number }>(
      app.deps.db,
      sql`SELECT count(*)::int AS n FROM jobs WHERE kind = 'subscriber.sync' AND (payload->>'subscriberId')::int = ${r.id}`,
    );
    expect(jobs!.n).toBe(4); // added, suspended, resumed, plan changed (a new name is not the router's)

    await page.getByRole('button', { name: 'Resend to router' }).click();
    await page.getByRole('status').filter({ hasText: 'Queued' }).waitFor();
    const [resent] = await query<{ n: number }>(
      app.deps.db,
      sql`SELECT count(*)::int AS n FROM jobs WHERE kind = 'subscriber.sync' AND (payload->>'subscriberId')::int = ${r.id}`,
    );
    expect(resent!.n).toBe(5);

    await page.getByRole('button', { name: 'Subscribers' }).click();
    await page.getByRole('cell', { name: 'jane.k' }).waitFor();
    await shot('48-subscribers');
    await settled(page);
    await expectNoSeriousAxeIssues(page, 'subscribers list');
  });
});
