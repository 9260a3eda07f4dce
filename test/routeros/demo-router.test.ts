import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, createApp } from '../../src/app/run.ts';
import { query } from '../../src/db/open.ts';
import { testRouter } from '../../src/gateways/index.ts';
import { demoRouterSim } from '../../src/sim/routeros/module.ts';
import { silentLog, testConfig } from '../helpers/app.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';

let t: TestDatabase;
let app: App;
beforeAll(async () => {
  t = await createTestDatabase();
  app = await createApp({
    config: testConfig({ PUBLIC_URL: 'http://wifi.test' }),
    roles: ['serve'],
    log: silentLog(),
    database: t.database,
    listen: false,
  });
});
afterAll(async () => {
  await app.stop();
  await t.drop();
});

describe('demo router', () => {
  it('is registered, answers, and queues a reconcile so a restart refills it', async () => {
    const [r] = await query<{ id: number; api_port: number; mode: string }>(
      app.deps.db,
      sql`SELECT id, api_port, mode FROM routers WHERE name = 'demo-router'`,
    );
    expect(r!.mode).toBe('api');
    expect(r!.api_port).toBe(demoRouterSim()!.apiPort);
    expect((await testRouter(app.deps, 'demo-router')).health).toMatchObject({
      ok: true,
      identity: 'demo-router',
    });
    const jobs = await query(app.deps.db, sql`SELECT 1 FROM jobs WHERE kind = 'gateway.reconcile-router'`);
    expect(jobs).toHaveLength(1);
  });

  it('serves the hotspot login page at /sim/hotspot that sends the browser to the portal', async () => {
    const res = await app.server!.inject(
      '/sim/hotspot/login?mac=A4:11:22:33:44:55&ip=10.5.50.12&dst=http://neverssl.com/',
    );
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('action="http://wifi.test/portal"');
    expect(res.body).toContain('name="mac" value="A4:11:22:33:44:55"');
    expect(res.body).toMatch(/name="link-login-only" value="http:\/\/[^"]+\/sim\/hotspot\/login"/);
    // A form post with a wrong code comes back with the hotspot's error for the portal to show.
    const bad = await app.server!.inject({
      method: 'POST',
      url: '/sim/hotspot/login',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        cookie: res.headers['set-cookie'] as string,
      },
      payload: 'username=NOPE&password=NOPE',
    });
    expect(bad.body).toContain('name="error" value="invalid username or password"');
    const fault = await app.server!.inject({
      method: 'POST',
      url: '/sim/routeros/fault',
      payload: { mode: 'bogus' },
    });
    expect(fault.statusCode).toBe(400);
  });
});
