/** Debian's Chromium, started the one way the browser tests and screenshot scripts all need. */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

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
    // Under vitest NODE_ENV is 'test', and Vite would bundle React's development build.
    { encoding: 'utf8', env: { ...process.env, NODE_ENV: 'production' } },
  );
  if (b.status !== 0) throw new Error(`admin build failed: ${b.stderr}`);
}
