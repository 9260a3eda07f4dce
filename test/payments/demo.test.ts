/**
 * Demo mode: the Daraja simulator and the phone page are mounted on our own server (and only in
 * demo). A purchase can be completed with nothing but what a browser does: the API, then the phone
 * page's plain HTML form.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, createApp } from '../../src/app/run.ts';
import { silentLog, testConfig } from '../helpers/app.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { type PaymentsHarness, startPaymentsApp } from './helpers.ts';

let h: PaymentsHarness;
beforeAll(async () => {
  h = await startPaymentsApp({ sim: { defaultPlan: { kind: 'manual' } } });
});
afterAll(async () => {
  await h.stop();
});

describe('demo', () => {
  it('buys a plan with only browser requests: API → /sim/phone form → paid', async () => {
    const start = await fetch(`${h.url}/api/purchases`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ planId: 1, phone: '0711 222 333' }),
    });
    const { id } = (await start.json()) as { id: string };
    const page = await (await fetch(`${h.url}/sim/phone`)).text();
    expect(page).toContain('KES 20');
    const action = /action="(\/sim\/phone\/ws_CO_[^"]+\/pay)"/.exec(page)?.[1];
    expect(action).toBeTruthy();
    const tap = await fetch(`${h.url}${action}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'a=pay',
      redirect: 'manual',
    });
    expect(tap.status).toBe(303);
    const v = (await (await fetch(`${h.url}/api/purchases/${id}?wait=10`)).json()) as Record<string, unknown>;
    expect(v.status).toBe('paid');
    expect(v.code).toMatch(/^[A-Z0-9]{10}$/);
    const after = await (await fetch(`${h.url}/sim/phone`)).text();
    expect(after).toContain('processed successfully');
    expect(after).not.toContain(action!);
  });

  it('the phone page escapes what it shows and pays the Paybill by hand', async () => {
    const r = await fetch(`${h.url}/sim/phone?note=${encodeURIComponent('<script>x</script>')}`);
    const html = await r.text();
    expect(html).not.toContain('<script>x');
    expect(html).toContain('&lt;script&gt;');
    const c2b = await fetch(`${h.url}/sim/phone/c2b`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'phone=0711222444&account=0711222444&amount=50',
      redirect: 'manual',
    });
    expect(c2b.status).toBe(303);
    expect(c2b.headers.get('location')).toContain('Sent');
  });
});

describe('production', () => {
  let t: TestDatabase;
  let app: App;
  beforeAll(async () => {
    t = await createTestDatabase();
    app = await createApp({
      config: testConfig({
        WAVU_MODE: 'production',
        PUBLIC_URL: 'https://wifi.example.co.ke',
        MPESA_CONSUMER_KEY: 'k',
        MPESA_CONSUMER_SECRET: 's',
        MPESA_SHORTCODE: '600984',
        MPESA_PASSKEY: 'p',
        SMS_PROVIDER: 'none',
      }),
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

  it('never mounts the simulator', async () => {
    expect((await app.server!.inject('/sim/phone')).statusCode).toBe(404);
    expect(
      (await app.server!.inject('/sim/daraja/oauth/v1/generate?grant_type=client_credentials')).statusCode,
    ).toBe(404);
    expect((await app.server!.inject('/api/plans')).statusCode).toBe(200);
  });
});
