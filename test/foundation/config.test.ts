import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';

const tmp = () => mkdtempSync(join(tmpdir(), 'wavu-cfg-'));

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  return [];
}

describe('config', () => {
  it('production lists every missing secret by name', () => {
    const p = problems({ WAVU_MODE: 'production', WAVU_DATA_DIR: tmp() });
    for (const name of ['SECRET_KEY', 'PUBLIC_URL', 'MPESA_CALLBACK_SECRET']) {
      expect(p.some((l) => l.startsWith(`${name} `))).toBe(true);
    }
    // The M-Pesa account may be entered in the dashboard instead.
    expect(p.some((l) => l.startsWith('MPESA_SHORTCODE '))).toBe(false);
  });

  it('production accepts a complete configuration and has no simulator', () => {
    const c = loadConfig({
      WAVU_MODE: 'production',
      WAVU_DATA_DIR: tmp(),
      SECRET_KEY: 'ab'.repeat(32),
      PUBLIC_URL: 'https://wifi.example.co.ke/',
      MPESA_CONSUMER_KEY: 'k',
      MPESA_CONSUMER_SECRET: 's',
      MPESA_SHORTCODE: '600123',
      MPESA_PASSKEY: 'p',
      MPESA_CALLBACK_SECRET: 'abcdefghijklmnopqrstuv',
    });
    expect(c.publicUrl).toBe('https://wifi.example.co.ke');
    expect(c.mpesa.baseUrl).toBe('https://sandbox.safaricom.co.ke');
    expect(c.sms.provider).toBe('none');
  });

  it('reads the STK Query schedule in seconds and refuses one that expires before its last query', () => {
    const d = loadConfig({ WAVU_DATA_DIR: tmp() }).mpesa;
    expect([d.queryAtMs, d.expireAfterMs]).toEqual([[20_000, 45_000, 70_000, 95_000], 110_000]);
    const c = loadConfig({ WAVU_DATA_DIR: tmp(), MPESA_QUERY_AT: '2, 4,6', MPESA_EXPIRE_AFTER: '9' }).mpesa;
    expect([c.queryAtMs, c.expireAfterMs]).toEqual([[2_000, 4_000, 6_000], 9_000]);
    expect(problems({ WAVU_DATA_DIR: tmp(), MPESA_QUERY_AT: '5,3' })[0]).toMatch(/^MPESA_QUERY_AT: /);
    expect(problems({ WAVU_DATA_DIR: tmp(), MPESA_QUERY_AT: 'soon' })[0]).toMatch(/^MPESA_QUERY_AT: /);
    expect(problems({ WAVU_DATA_DIR: tmp(), MPESA_QUERY_AT: '2,4', MPESA_EXPIRE_AFTER: '4' })).toEqual([
      'MPESA_EXPIRE_AFTER must be later than the last MPESA_QUERY_AT time',
    ]);
  });

  it('names the variable in a bad value', () => {
    expect(problems({ PORT: 'eighty', WAVU_DATA_DIR: tmp() })).toEqual(['PORT: must be a whole number']);
    expect(problems({ DATABASE_URL: 'mysql://x', WAVU_DATA_DIR: tmp() })[0]).toMatch(/^DATABASE_URL: /);
    expect(problems({ SECRET_KEY: 'short', WAVU_DATA_DIR: tmp() })[0]).toMatch(
      /^SECRET_KEY: must be 32 bytes/,
    );
    expect(problems({ WAVU_MODE: 'prod', WAVU_DATA_DIR: tmp() })[0]).toMatch(/^WAVU_MODE: /);
    expect(problems({ DATABASE_POOL_SIZE: '0', WAVU_DATA_DIR: tmp() })[0]).toMatch(/^DATABASE_POOL_SIZE: /);
    expect(loadConfig({ WAVU_DATA_DIR: tmp() }).databasePoolSize).toBe(10);
    expect(loadConfig({ WAVU_DATA_DIR: tmp(), DATABASE_POOL_SIZE: '32' }).databasePoolSize).toBe(32);
  });

  it('demo generates its secrets once and keeps them across restarts', () => {
    const dir = tmp();
    const a = loadConfig({ WAVU_DATA_DIR: dir });
    const b = loadConfig({ WAVU_DATA_DIR: dir });
    expect(a.secretKey.length).toBe(32);
    expect(a.secretKey.equals(b.secretKey)).toBe(true);
    expect(a.mpesa.callbackSecret).toBe(b.mpesa.callbackSecret);
    expect(a.mpesa.callbackSecret).toMatch(/^[A-Za-z0-9_-]{16,}$/);
    expect(loadConfig({ WAVU_DATA_DIR: tmp() }).mpesa.callbackSecret).not.toBe(a.mpesa.callbackSecret);
  });

  it('demo points M-Pesa at the built-in simulator', () => {
    const c = loadConfig({ WAVU_DATA_DIR: tmp(), PORT: '4321' });
    expect(c.mpesa.baseUrl).toBe('http://127.0.0.1:4321/sim/daraja');
    expect(c.sms.provider).toBe('sim');
  });
});
