import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { type Config, loadConfig } from '../../src/config.ts';

export const TEST_SECRET_KEY = '0f'.repeat(32);
export const TEST_CALLBACK_SECRET = 'test-callback-secret-0123456789';

/** A demo-mode config on ephemeral ports with fixed secrets and a throwaway data dir. */
export function testConfig(env: Record<string, string> = {}): Config {
  return loadConfig({
    WAVU_MODE: 'demo',
    WAVU_DATA_DIR: mkdtempSync(join(tmpdir(), 'wavu-test-')),
    HOST: '127.0.0.1',
    PORT: '0',
    SECRET_KEY: TEST_SECRET_KEY,
    MPESA_CALLBACK_SECRET: TEST_CALLBACK_SECRET,
    RADIUS_AUTH_PORT: '0',
    RADIUS_ACCT_PORT: '0',
    LOG_LEVEL: 'silent',
    ...env,
  });
}

export const silentLog = () => pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
