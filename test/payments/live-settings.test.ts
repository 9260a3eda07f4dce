/**
 * M-Pesa settings saved in the dashboard are used by the next STK push, on this node and on a
 * second one, without a restart: the simulator (over a real socket) sees the new OAuth app, the
 * new BusinessShortCode and a Password made with the new passkey (it refuses any other). An
 * environment variable wins over the dashboard and is reported locked. Runs on PGlite and on
 * PostgreSQL (where the second node has its own pool).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app/run.ts';
import { createSession } from '../../src/admin/auth/sessions.ts';
import { createAdminUser } from '../../src/admin/auth/users.ts';
import { SYSTEM } from '../../src/audit/index.ts';
import { onPostgres } from '../helpers/db.ts';
import { freshPhone, type PaymentsHarness, startPaymentsApp, waitFor } from './helpers.ts';

const NEW_APP = { consumerKey: 'shop-two-key', consumerSecret: 'shop-two-secret' };
const NEW_MERCHANT = { shortcode: '600777', passkey: 'shop-two-passkey-0123456789', tills: [] };

async function ownerOf(app: App) {
  const deps = app.deps;
  const u = await deps.db.transaction((tx) =>
    createAdminUser(tx, deps, {
      username: `owner${Math.random().toString(36).slice(2, 8)}`,
      password: 'correct horse battery',
      role: 'owner',
      actor: SYSTEM,
    }),
  );
  const s = await createSession(deps.db, deps, { userId: u.id, ip: '127.0.0.1', userAgent: 'test' });
  return { cookie: `wavu_admin=${s.token}`, csrf: s.csrfToken };
}

/** The admin API over the node's real HTTP port. */
async function admin(
  node: PaymentsHarness,
  who: { cookie: string; csrf: string },
  method: 'GET' | 'PUT',
  path: string,
  body?: unknown,
) {
  const res = await fetch(`${node.url}${path}`, {
    method,
    headers: {
      cookie: who.cookie,
      'x-csrf-token': who.csrf,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as any };
}

async function buy(node: PaymentsHarness, phone: string) {
  const res = await fetch(`${node.url}/api/purchases`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ planId: 1, phone }),
  });
  return { status: res.status, json: (await res.json()) as any };
}

/** The push the simulator received for this phone (its app, shortcode; Password was checked). */
const pushFor = (h: PaymentsHarness, phone: string) =>
  waitFor(async () => [...h.sim.txns.values()].find((t) => t.phone === phone));

describe('dashboard M-Pesa settings are live on every node', () => {
  let a: PaymentsHarness;
  let b: PaymentsHarness;
  beforeAll(async () => {
    a = await startPaymentsApp({ roles: ['serve'] });
    a.sim.apps.push(NEW_APP);
    a.sim.merchants.push(NEW_MERCHANT);
    b = await startPaymentsApp({
      t: a.t,
      database: onPostgres() ? await a.t.openAnother() : a.t.database,
      roles: ['serve'],
      darajaBaseUrl: `${a.url}/sim/daraja`,
    });
  }, 60_000);
  afterAll(async () => {
    await b?.stop();
    await a?.stop();
  });

  it('the next push on both nodes uses the saved shortcode, passkey and OAuth app', async () => {
    // Before: the demo defaults, on both nodes (each warms its own copy of the settings).
    const p0 = freshPhone();
    expect((await buy(a, p0)).status).toBe(201);
    expect(await pushFor(a, p0)).toMatchObject({ shortcode: '174379', app: 'demo-consumer-key' });
    const p1 = freshPhone();
    expect((await buy(b, p1)).status).toBe(201);
    expect(await pushFor(a, p1)).toMatchObject({ shortcode: '174379', app: 'demo-consumer-key' });

    const owner = await ownerOf(a.app);
    const put = await admin(a, owner, 'PUT', '/api/admin/settings/mpesa', {
      shortcode: NEW_MERCHANT.shortcode,
      type: 'paybill',
      consumerKey: NEW_APP.consumerKey,
      consumerSecret: NEW_APP.consumerSecret,
      passkey: NEW_MERCHANT.passkey,
    });
    expect(put.status).toBe(200);

    // No restart: the very next push on each node.
    for (const node of [a, b]) {
      const phone = freshPhone();
      const r = await buy(node, phone);
      expect(r.status).toBe(201);
      const t = await pushFor(a, phone);
      // The simulator accepted the push only if Password = base64(600777 + new passkey + ts).
      expect(t).toMatchObject({ shortcode: '600777', partyB: '600777', app: 'shop-two-key' });
    }
    const s = (await admin(a, owner, 'GET', '/api/admin/settings')).json;
    expect(s.mpesa).toMatchObject({
      shortcode: '600777',
      consumerKey: 'shop-two-key',
      passkeySet: true,
      locked: [],
      missing: null,
    });
    expect(s.mpesa.sources).toMatchObject({ shortcode: 'dashboard', passkey: 'dashboard', till: 'default' });

    // A wrong passkey saved on node b: the simulator refuses the next push from node a.
    expect(
      (await admin(b, owner, 'PUT', '/api/admin/settings/mpesa', { passkey: 'not-the-passkey' })).status,
    ).toBe(200);
    const phone = freshPhone();
    const bad = await buy(a, phone);
    expect(bad.json.status).toBe('failed');
    expect([...a.sim.txns.values()].some((t) => t.phone === phone)).toBe(false);
  });

  it('Test, Register URLs and Send test message answer in plain words', async () => {
    const owner = await ownerOf(a.app);
    const post = async (path: string, body?: unknown) => {
      const res = await fetch(`${a.url}${path}`, {
        method: 'POST',
        headers: { cookie: owner.cookie, 'x-csrf-token': owner.csrf, 'content-type': 'application/json' },
        body: JSON.stringify(body ?? {}),
      });
      return { status: res.status, json: (await res.json()) as any };
    };
    expect(
      (await admin(a, owner, 'PUT', '/api/admin/settings/mpesa', { consumerSecret: NEW_APP.consumerSecret }))
        .status,
    ).toBe(200);
    const good = await post('/api/admin/settings/mpesa/test');
    expect(good.json).toMatchObject({ ok: true });
    expect((await post('/api/admin/settings/mpesa/register-urls')).json).toMatchObject({ ok: true });
    // A wrong secret: a 200 with the reason, not an error page. (Another key, so no cached token.)
    a.sim.apps.push({ consumerKey: 'third-key', consumerSecret: 'right' });
    await admin(a, owner, 'PUT', '/api/admin/settings/mpesa', {
      consumerKey: 'third-key',
      consumerSecret: 'wrong',
    });
    const bad = await post('/api/admin/settings/mpesa/test');
    expect(bad.status).toBe(200);
    expect(bad.json.ok).toBe(false);
    expect(bad.json.message).toMatch(/refused the consumer key or secret.*sandbox app/);
    expect(bad.json.answer).toMatch(/^400\.008\.01/);
    // SMS: the demo's simulated inbox receives it.
    const sms = await post('/api/admin/settings/sms/test', { to: '0712 345 678' });
    expect(sms.json).toMatchObject({ ok: true });
    const inbox = await (await fetch(`${a.url}/sim/sms/messages?to=254712345678`)).json();
    expect(JSON.stringify(inbox)).toContain('Test message from Wavu');
    expect((await post('/api/admin/settings/sms/test', { to: 'nobody' })).status).toBe(400);
  });

  it('malformed settings get a 400 naming the field', async () => {
    const owner = await ownerOf(a.app);
    const cases: [unknown, string][] = [
      [{ shortcode: '12ab' }, 'shortcode'],
      [{ environment: 'live' }, 'environment'],
      [{ type: 'till', till: null }, 'till'],
      [{ initiatorName: 'bad name!' }, 'initiatorName'],
      [{ consumerSecret: '' }, 'consumerSecret'],
      [{ surprise: 1 }, 'surprise'],
    ];
    for (const [body, field] of cases) {
      const r = await admin(a, owner, 'PUT', '/api/admin/settings/mpesa', body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.json.error.message).toContain(field);
    }
    const sms = await admin(a, owner, 'PUT', '/api/admin/settings/sms', { senderId: 'far-too-long-sender' });
    expect(sms.status).toBe(400);
    expect(sms.json.error.message).toContain('senderId');
  });
});

describe('an environment variable wins over the dashboard', () => {
  let h: PaymentsHarness;
  beforeAll(async () => {
    h = await startPaymentsApp({ env: { MPESA_SHORTCODE: '174379', AT_SENDER_ID: 'WAVU' } });
    h.sim.merchants.push(NEW_MERCHANT);
  }, 60_000);
  afterAll(async () => {
    await h?.stop();
  });

  it('is reported locked, refuses a change, and the push keeps the environment value', async () => {
    const owner = await ownerOf(h.app);
    const s = (await admin(h, owner, 'GET', '/api/admin/settings')).json;
    expect(s.mpesa.locked).toEqual(['shortcode']);
    expect(s.mpesa.lockedBy).toEqual({ shortcode: 'MPESA_SHORTCODE' });
    expect(s.mpesa.sources.shortcode).toBe('environment');
    expect(s.sms.locked).toEqual(['senderId']);

    const refused = await admin(h, owner, 'PUT', '/api/admin/settings/mpesa', { shortcode: '600777' });
    expect(refused.status).toBe(400);
    expect(refused.json.error.message).toMatch(/shortcode: set by the environment \(MPESA_SHORTCODE\)/);
    // Sending back the value the page showed is fine; other fields still save.
    const ok = await admin(h, owner, 'PUT', '/api/admin/settings/mpesa', {
      shortcode: '174379',
      passkey: NEW_MERCHANT.passkey,
    });
    expect(ok.status).toBe(200);

    // The dashboard passkey is used (not locked), the shortcode stays the environment's: the
    // simulator refuses 174379 with another merchant's passkey, which proves both.
    const phone = freshPhone();
    const r = await buy(h, phone);
    expect(r.json.status).toBe('failed');
    expect([...h.sim.txns.values()].some((t) => t.phone === phone)).toBe(false);
  });
});
