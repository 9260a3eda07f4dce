import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { createApp } from "../../src/app/run.js";
import { loadConfig } from "../../src/config.js";
import { SYSTEM } from "../../src/audit/index.js";
import { addRouter } from "../../src/gateways/index.js";
import { startRouterOsSim } from "../../src/sim/routeros/index.js";
import { createTestDatabase } from "./db.js";
export const TEST_SECRET_KEY = '0f'.repeat(32);
export const TEST_CALLBACK_SECRET = 'test-callback-secret-0123456789';
/** A demo-mode config on ephemeral ports with fixed secrets and a throwaway data dir. */
export function testConfig(env = {}) {
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
export async function startDrainedApp(clock) {
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
    await app.worker.stop();
    return { t, app };
}
/**
 * startDrainedApp with a simulated MikroTik (api mode, over its RouterOS API) added as router
 * `gate`; `stop` takes all of it down again.
 */
export async function startAppWithRouter(clock, simOptions = {}) {
    const { t, app } = await startDrainedApp(clock);
    const sim = await startRouterOsSim({
        users: [{ name: 'wavu', password: 'router-pass-123' }],
        now: () => clock.now().getTime(),
        ...simOptions,
    });
    await addRouter(app.deps, {
        mode: 'api',
        name: 'gate',
        host: '127.0.0.1',
        port: sim.apiPort,
        transport: 'api',
        username: 'wavu',
        password: 'router-pass-123',
    }, { actor: SYSTEM });
    const stop = async () => {
        await app.stop();
        await app.deps.routerConnections.closeAll();
        await sim.stop();
        await t.drop();
    };
    return { t, app, sim, stop };
}
//# sourceMappingURL=app.js.map