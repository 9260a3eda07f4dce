import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { type App, createApp } from '../../src/app/run.ts';
import { type Config, loadConfig } from '../../src/config.ts';
import { SYSTEM } from '../../src/audit/index.ts';
import { addRouter } from '../../src/gateways/index.ts';
import type { Clock } from '../../src/lib/clock.ts';
import { type RouterOsSim, type SimOptions, startRouterOsSim } from '../../src/sim/routeros/index.ts';
import { createTestDatabase, type TestDatabase } from './db.ts';

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

/**
 * The whole app on a fresh database: HTTP through `app.server.inject`, and a worker that is
 * stopped at once, so jobs run only when a test calls `app.worker.drain()` (with its moved clock).
 */
export async function startDrainedApp(clock: Clock): Promise<{ t: TestDatabase; app: App }> {
  const t = await createTestDatabase();
  const app = await createApp({
    config: testConfig(),
    roles: ['serve', 'worker'],
    log: silentLog(),
    clock,
    database: t.database,
    listen: false,
    workerOptions: { pollMs: 60_000 },
  });
  await app.worker!.stop();
  return { t, app };
}

/**
 * startDrainedApp with a simulated MikroTik (api mode, over its RouterOS API) added as router
 * `gate`; `stop` takes all of it down again.
 */
export async function startAppWithRouter(
  clock: Clock,
  simOptions: SimOptions = {},
): Promise<{ t: TestDatabase; app: App; sim: RouterOsSim; stop: () => Promise<void> }> {
  const { t, app } = await startDrainedApp(clock);
  const sim = await startRouterOsSim({
    users: [{ name: 'wavu', password: 'router-pass-123' }],
    now: () => clock.now().getTime(),
    ...simOptions,
  });
  await addRouter(
    app.deps,
    {
      mode: 'api',
      name: 'gate',
      host: '127.0.0.1',
      port: sim.apiPort,
      transport: 'api',
      username: 'wavu',
      password: 'router-pass-123',
    },
    { actor: SYSTEM },
  );
  const stop = async () => {
    await app.stop();
    await app.deps.routerConnections.closeAll();
    await sim.stop();
    await t.drop();
  };
  return { t, app, sim, stop };
}
