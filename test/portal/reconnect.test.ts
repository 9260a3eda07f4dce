/**
 * "Welcome back", Reconnect and the online page go by what the router itself says about the
 * device, never by a MAC typed into a URL: an attacker who knows a victim's MAC (it is on every
 * frame of the WiFi) gets neither the code nor the time left, and is throttled; the real device,
 * which the router sees at its address, is put back online without its code ever reaching a page.
 * A real app and a simulated MikroTik (api mode, over its RouterOS API) on a fresh database.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueForPurchase } from '../../src/access/issue-for-purchase.ts';
import type { App } from '../../src/app/run.ts';
import { query } from '../../src/db/open.ts';
import { ManualClock } from '../../src/lib/clock.ts';
import type { RouterOsSim } from '../../src/sim/routeros/index.ts';
import { startAppWithRouter } from '../helpers/app.ts';

let app: App;
let sim: RouterOsSim;
const clock = new ManualClock('2026-03-01T08:00:00Z');
const ATTACKER_ADDRESS = '198.51.100.66';
const HOTSPOT_ADDRESS = '203.0.113.10';
// Made up, as an attacker would: the portal cannot tell these from the router's own.
const CHAP = { 'chap-id': '\\001', 'chap-challenge': '\\001\\002\\003\\004\\005\\006\\007\\010' };

let stop: () => Promise<void>;
beforeAll(async () => {
  ({ app, sim, stop } = await startAppWithRouter(clock));
});
afterAll(() => stop());

let n = 0;
/**
 * A customer's phone on the hotspot with a 1-hour code bound to it (bought earlier and used), and
 * the access on the router.
 */
async function customer() {
  n++;
  const mac = `A4:5E:60:00:01:${String(n).padStart(2, '0')}`;
  const ip = `10.5.50.${20 + n}`;
  const [plan] = await query<{ id: number }>(app.deps.db, sql`SELECT id FROM plans WHERE name = '1 Hour'`);
  const [router] = await query<{ id: number }>(app.deps.db, sql`SELECT id FROM routers WHERE name = 'gate'`);
  const { code } = await app.deps.db.transaction((tx) =>
    issueForPurchase(tx, app.deps, {
      purchaseId: randomUUID(),
      planId: plan!.id,
      phone: null,
      mac,
      routerId: router!.id,
      purpose: 'access',
    }),
  );
  sim.router.join(mac, ip);
  // Its first login started the clock; it then dropped off (idle, out of range).
  await app.server!.inject({ method: 'POST', url: '/api/access/redeem', payload: { code, mac } });
  await app.worker!.drain();
  clock.advance(10 * 60_000);
  return { mac, ip, code, hs: { mac, ip, router: 'gate', 'link-login-only': 'http://10.5.50.1/login' } };
}

const get = (path: string, q: Record<string, string>, from = HOTSPOT_ADDRESS) =>
  app.server!.inject({ url: `${path}?${new URLSearchParams(q)}`, remoteAddress: from });
const post = (path: string, form: Record<string, string>, from = HOTSPOT_ADDRESS) =>
  app.server!.inject({
    method: 'POST',
    url: path,
    payload: new URLSearchParams(form).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    remoteAddress: from,
  });
/** Follow the redirect the way the browser would. */
const follow = async (r: { headers: Record<string, unknown> }, from = HOTSPOT_ADDRESS) =>
  app.server!.inject({ url: String(r.headers.location), remoteAddress: from });

const onRouter = (mac: string) =>
  sim.router.list('/ip/hotspot/active').filter((a) => a['mac-address'] === mac);

describe('someone who only knows the MAC', () => {
  it('gets no code and no time left, from the landing page, the online page or Reconnect', async () => {
    const attacks: ((mac: string) => Record<string, string>)[] = [
      (mac) => ({ mac }),
      (mac) => ({ mac, router: 'gate' }),
      // Their own address on the same hotspot, with a made-up CHAP challenge.
      (mac) => ({
        mac,
        ip: '10.5.50.200',
        router: 'gate',
        'link-login-only': 'http://10.5.50.1/login',
        ...CHAP,
      }),
    ];
    for (const attack of attacks) {
      const victim = await customer();
      const q = attack(victim.mac);
      const home = await get('/portal', q, ATTACKER_ADDRESS);
      expect(home.statusCode).toBe(200);
      expect(home.body).not.toContain('Welcome back');
      expect(home.body).not.toContain('You still have');
      expect(home.body).not.toContain('/portal/reconnect');
      const status = await get('/portal/status', q, ATTACKER_ADDRESS);
      expect(status.body).toContain('This device is not connected');
      expect(status.body).not.toContain('Time left');

      const r = await post('/portal/reconnect', q, ATTACKER_ADDRESS);
      expect(r.statusCode).toBe(303);
      const to = String(r.headers.location);
      expect(to).not.toMatch(/\/portal\/(connect|status)/);
      const page = await follow(r, ATTACKER_ADDRESS);
      expect(page.body).toContain('We could not reconnect this device from here.');
      for (const body of [home.body, status.body, to, page.body]) expect(body).not.toContain(victim.code);
    }
    // Nobody was logged in with the victim's access, not the attacker's address either.
    expect(sim.router.list('/ip/hotspot/active')).toEqual([]);
    const audited = await query<{ n: number }>(
      app.deps.db,
      sql`SELECT count(*)::int AS n FROM audit_log WHERE action = 'access.reconnect.failed'`,
    );
    expect(Number(audited[0]!.n)).toBe(attacks.length);
  });

  it('is throttled: after 10 tries on one device the next ones are refused until the window passes', async () => {
    const victim = await customer();
    const fake = { ...victim.hs, ip: '10.5.50.201', ...CHAP };
    for (let i = 0; i < 10; i++) {
      const r = await post('/portal/reconnect', fake, ATTACKER_ADDRESS);
      expect(String(r.headers.location)).toContain('e=reconnect');
    }
    const blocked = await post('/portal/reconnect', fake, ATTACKER_ADDRESS);
    expect(String(blocked.headers.location)).toContain('e=too_many');
    expect((await follow(blocked, ATTACKER_ADDRESS)).body).toContain('Too many tries.');
    // Page views count too, so the landing page cannot be used to find the right address instead.
    const home = await get('/portal', victim.hs, ATTACKER_ADDRESS);
    expect(home.body).not.toContain('Welcome back');
    const throttled = await query<{ n: number }>(
      app.deps.db,
      sql`SELECT count(*)::int AS n FROM audit_log WHERE action = 'access.reconnect.throttled'`,
    );
    expect(Number(throttled[0]!.n)).toBeGreaterThan(0);
    // The window passes: the real device is welcomed back again.
    clock.advance(11 * 60_000);
    expect((await get('/portal', victim.hs)).body).toContain('Welcome back');
  });

  it('counts tries per address too, across many MACs', async () => {
    let last = '';
    for (let i = 0; i < 61; i++) {
      const mac = `A4:5E:60:00:02:${i.toString(16).padStart(2, '0').toUpperCase()}`;
      last = String(
        (await post('/portal/reconnect', { mac, ip: '10.5.50.9', router: 'gate' }, '192.0.2.7')).headers
          .location,
      );
    }
    expect(last).toContain('e=too_many');
    clock.advance(11 * 60_000);
  });
});

describe('the real device, which the router sees at its address', () => {
  it('is welcomed back with its time left and reconnects without its code on any page', async () => {
    const me = await customer();
    const home = await get('/portal', { ...me.hs, ...CHAP });
    expect(home.body).toContain('Welcome back');
    expect(home.body).toContain('You still have 50 min on this device.');
    expect(home.body).not.toContain(me.code);

    const r = await post('/portal/reconnect', { ...me.hs, ...CHAP });
    expect(r.statusCode).toBe(303);
    expect(String(r.headers.location)).toMatch(/^\/portal\/status\?/);
    // Wavu logged this very device in through the router's API; the browser never saw the code.
    const sessions = onRouter(me.mac);
    expect(sessions).toHaveLength(1);
    expect(sessions[0]).toMatchObject({ user: me.code, address: me.ip });
    const status = await follow(r);
    expect(status.body).toContain('You are online');
    expect(status.body).toContain('50 min');
    expect(status.body).not.toContain(me.code);

    // Already online: Reconnect just goes to the online page.
    const again = await post('/portal/reconnect', me.hs);
    expect(String(again.headers.location)).toMatch(/^\/portal\/status\?/);
    expect(onRouter(me.mac)).toHaveLength(1);
  });

  it('is not confirmed while the router cannot be asked', async () => {
    const me = await customer();
    sim.setFault('down');
    try {
      expect((await get('/portal', me.hs)).body).not.toContain('Welcome back');
      const r = await post('/portal/reconnect', me.hs);
      expect(String(r.headers.location)).toContain('e=reconnect');
    } finally {
      sim.setFault('none');
    }
    expect((await get('/portal', me.hs)).body).toContain('Welcome back');
  });
});

describe('radius-mode routers', () => {
  it('confirm a device by the session their accounting reports open for that MAC and address', async () => {
    const me = await customer();
    const [router] = await query<{ id: number }>(
      app.deps.db,
      sql`INSERT INTO routers (name, mode, nas_identifier, radius_secret_sealed)
          VALUES ('edge', 'radius', 'edge', ${app.deps.sealer.seal('radius-secret-1')}) RETURNING id`,
    );
    const hs = { ...me.hs, router: 'edge' };
    expect((await get('/portal/status', hs)).body).toContain('This device is not connected');
    const now = clock.now();
    await app.deps.db.execute(
      sql`INSERT INTO sessions (id, router_id, acct_session_id, username, mac, ip, status, started_at, updated_at)
          VALUES (${randomUUID()}, ${router!.id}, 'edge-1', ${me.code}, ${me.mac}, ${me.ip}, 'active', ${now}, ${now})`,
    );
    const status = (await get('/portal/status', hs)).body;
    expect(status).toContain('You are online');
    expect(status).toContain('Time left');
    // The same MAC claimed from another address is not that session.
    expect((await get('/portal/status', { ...hs, ip: '10.5.50.250' })).body).not.toContain('Time left');
    const r = await post('/portal/reconnect', hs);
    expect(String(r.headers.location)).toMatch(/^\/portal\/status\?/);
  });
});
