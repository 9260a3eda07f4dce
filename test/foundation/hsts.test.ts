/** Strict-Transport-Security: production over https only, on every kind of response. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, createApp } from '../../src/app/run.ts';
import type { Module } from '../../src/app/module.ts';
import { loadConfig } from '../../src/config.ts';
import { AppError } from '../../src/lib/errors.ts';
import { silentLog, testConfig, TEST_SECRET_KEY } from '../helpers/app.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';

const production = (publicUrl: string) =>
  loadConfig({
    WAVU_MODE: 'production',
    WAVU_DATA_DIR: mkdtempSync(join(tmpdir(), 'wavu-test-')),
    HOST: '127.0.0.1',
    PORT: '0',
    SECRET_KEY: TEST_SECRET_KEY,
    PUBLIC_URL: publicUrl,
    MPESA_CONSUMER_KEY: 'k',
    MPESA_CONSUMER_SECRET: 's',
    MPESA_SHORTCODE: '600123',
    MPESA_PASSKEY: 'p',
    MPESA_CALLBACK_SECRET: 'abcdefghijklmnopqrstuv',
    RADIUS_AUTH_PORT: '0',
    RADIUS_ACCT_PORT: '0',
    LOG_LEVEL: 'silent',
  });

const probe: Module = {
  name: 'probe',
  routes(app) {
    app.get('/probe/ok', async () => ({ ok: true }));
    app.get('/probe/refused', async () => {
      throw new AppError('validation', 'no');
    });
  },
};

let t: TestDatabase;
const apps: App[] = [];
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  for (const a of apps) await a.stop();
  await t.drop();
});

async function headersFor(config: ReturnType<typeof loadConfig>) {
  const app = await createApp({
    config,
    roles: ['serve'],
    log: silentLog(),
    database: t.database,
    modules: [probe],
    listen: false,
  });
  apps.push(app);
  return Promise.all(
    ['/probe/ok', '/probe/refused', '/nowhere'].map(async (url) => {
      const r = await app.server!.inject(url);
      return { url, status: r.statusCode, hsts: r.headers['strict-transport-security'] ?? null };
    }),
  );
}

describe('HSTS', () => {
  it('is sent on every response in production behind https', async () => {
    expect(await headersFor(production('https://wifi.example.co.ke'))).toEqual([
      { url: '/probe/ok', status: 200, hsts: 'max-age=31536000' },
      { url: '/probe/refused', status: 400, hsts: 'max-age=31536000' },
      { url: '/nowhere', status: 404, hsts: 'max-age=31536000' },
    ]);
  });

  it('is not sent over plain http, nor in the demo', async () => {
    for (const config of [
      production('http://10.0.0.5:3000'),
      testConfig({ PUBLIC_URL: 'https://demo.example.co.ke' }),
    ]) {
      for (const r of await headersFor(config)) expect(r.hsts, r.url).toBeNull();
    }
  });
});
