/** Debian's Chromium, started the one way the browser tests and screenshot scripts all need. */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { type Browser, chromium, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const haveChromium = existsSync(CHROMIUM);

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    // Without the networking flags Chromium phones home at start, and this network refuses it.
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-quic',
      '--no-first-run',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Builds the admin SPA into web/admin/dist (the server serves it from there). */
export function buildAdmin(): void {
  const b = spawnSync(
    process.execPath,
    ['node_modules/vite/bin/vite.js', 'build', '--config', 'web/admin/vite.config.ts'],
    // The test runner sets NODE_ENV=test, which would make Vite bundle React's development build.
    { encoding: 'utf8', env: { ...process.env, NODE_ENV: 'production' } },
  );
  if (b.status !== 0) throw new Error(`admin build failed: ${b.stderr}`);
}

/**
 * A new owner lands on the first-run checklist (test/e2e/first-run.test.ts tests it); browser
 * tests that start from the dashboard close it.
 */
export async function closeSetup(page: Page): Promise<void> {
  await page.getByRole('heading', { name: 'Set up Wavu' }).waitFor();
  await page.getByRole('button', { name: 'Close the checklist' }).click();
  await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
}

/** Signs a new owner in to the dashboard at `base`, past the Setup checklist. */
export async function signInPastSetup(
  page: Page,
  base: string,
  user: { username: string; password: string },
): Promise<void> {
  await page.goto(`${base}/admin`);
  await page.getByLabel('Username').fill(user.username);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await closeSetup(page);
}
