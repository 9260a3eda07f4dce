/**
 * The router login after payment, against a simulated MikroTik (api mode over its RouterOS API,
 * and its hotspot login pages over HTTP with the login.html Wavu installs). Real app, fresh database.
 * - "Already paid?" on one device too many: the code moves to the new device only after the
 *   device it replaces is off the router (active entry and MAC cookie, by a durable job); the
 *   portal holds the login until then, and the new phone logs in and is active.
 * - A paid customer whose router login fails is sent back by the router to the portal: they see
 *   that they paid, their code and a retry, never the packages, and the retry gets them online.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueForPurchase } from '../../src/access/issue-for-purchase.ts';
import type { App } from '../../src/app/run.ts';
import { query } from '../../src/db/open.ts';
import { loginHtml } from '../../src/gateways/setup-script.ts';
import { ManualClock } from '../../src/lib/clock.ts';
import { formatCode } from '../../src/access/codes.ts';
import type { RouterOsSim } from '../../src/sim/routeros/index.ts';
import { startAppWithRouter } from '../helpers/app.ts';

let app: App;
let sim: RouterOsSim;
const clock = new ManualClock('2026-03-01T08:00:00Z');
const RECEIPT = 'TK84ABC123';

let stop: () => Promise<void>;
beforeAll(async () => {
  ({ app, sim, stop } = await startAppWithRouter(clock, {
    httpPort: 0,
    loginHtml: () => loginHtml({ publicUrl: 'http://portal.test', routerName: 'gate' }),
  }));
});
afterAll(() => stop());

const phone = (n: number) => ({ mac: `A4:5E:60:08:40:0${n}`, ip: `10.5.50.${80 + n}` });
const active = (mac: string) => sim.router.list('/ip/hotspot/active').filter((a) => a['mac-address'] === mac);
const cookies = (mac: string) =>
  sim.router.list('/ip/hotspot/cookie').filter((c) => c['mac-address'] === mac);
const inject = (o: {
  method?: 'GET' | 'POST';
  url: string;
  form?: Record<string, string>;
  cookie?: string;
}) =>
  app.server!.inject({
    method: o.method ?? 'GET',
    url: o.url,
    headers: {
      ...(o.form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      ...(o.cookie ? { cookie: o.cookie } : {}),
    },
    ...(o.form ? { payload: new URLSearchParams(o.form).toString() } : {}),
    remoteAddress: '203.0.113.10',
  });

/** A form's action and its fields (hidden inputs), as the browser would submit them. */
function form(body: string): { action: string; fields: Record<string, string> } {
  const f = /<form\b[^>]*action="([^"]*)"[^>]*>([\s\S]*?)<\/form>/.exec(body);
  if (!f) throw new Error(`no form in: ${body.slice(0, 300)}`);
  const fields: Record<string, string> = {};
  for (const m of f[2]!.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g))
    fields[m[1]!] = unescapeHtml(m[2]!);
  return { action: unescapeHtml(f[1]!), fields };
}
const unescapeHtml = (v: string) =>
  v
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

/** The phone's browser on the router's own hotspot pages (the sim names the device by a cookie). */
async function atRouter(url: string, device: { mac: string; ip: string }, fields?: Record<string, string>) {
  const u = new URL(url);
  u.host = `127.0.0.1:${sim.httpPort}`;
  const r = await fetch(u, {
    method: fields ? 'POST' : 'GET',
    redirect: 'manual',
    headers: {
      cookie: `wavu_sim_host=${encodeURIComponent(`${device.mac}|${device.ip}`)}`,
      ...(fields ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
    },
    ...(fields ? { body: new URLSearchParams(fields).toString() } : {}),
  });
  return { status: r.status, location: r.headers.get('location'), body: await r.text() };
}

/** Where the router's login.html (Wavu's) sends the browser: the portal with the hotspot variables. */
const portalUrl = (page: string) => {
  const f = form(page);
  expect(f.action).toBe('http://portal.test/portal');
  return `/portal?${new URLSearchParams(f.fields)}`;
};

/** A purchase paid by M-Pesa (with this receipt), its code issued for this device and router. */
async function paid(o: { planId: number; amount: number; mac: string; routerId: number; receipt?: string }) {
  const purchaseId = randomUUID();
  const buyer = '254712084001';
  return app.deps.db.transaction(async (tx) => {
    await tx.execute(
      sql`INSERT INTO purchases (id, ref, plan_id, phone, amount_kes, channel, created_at)
          VALUES (${purchaseId}, ${purchaseId.slice(0, 10)}, ${o.planId}, ${buyer}, ${o.amount}, 'stk', ${clock.now()})`,
    );
    const r = await issueForPurchase(tx, app.deps, {
      purchaseId,
      planId: o.planId,
      phone: buyer,
      mac: o.mac,
      routerId: o.routerId,
      purpose: 'access',
    });
    await tx.execute(
      sql`UPDATE purchases SET status = 'paid', paid_at = ${clock.now()}, paid_amount_kes = ${o.amount},
             mpesa_receipt = ${o.receipt ?? null}, access_code_id = ${r.accessCodeId} WHERE id = ${purchaseId}`,
    );
    return { purchaseId, ...r };
  });
}

/** A paid 2-device package, online on phones 1 and 2 (both logged in at the router, cookies set). */
async function paidOnTwoPhones() {
  const [router] = await query<{ id: number }>(app.deps.db, sql`SELECT id FROM routers WHERE name = 'gate'`);
  const [plan] = await query<{ id: number }>(
    app.deps.db,
    sql`INSERT INTO plans (name, price_kes, duration_seconds, devices) VALUES ('Two phones', 80, 3600, 2) RETURNING id`,
  );
  const issued = await paid({
    planId: plan!.id,
    amount: 80,
    mac: phone(1).mac,
    routerId: router!.id,
    receipt: RECEIPT,
  });
  await app.worker!.drain();
  const code = issued.code;
  for (const n of [1, 2]) {
    clock.advance(60_000);
    const p = phone(n);
    if (n === 2) {
      const r = await app.server!.inject({
        method: 'POST',
        url: '/api/access/redeem',
        payload: { code, mac: p.mac, routerId: router!.id },
      });
      expect(r.statusCode).toBe(200);
      await app.worker!.drain();
    }
    sim.router.join(p.mac, p.ip);
    expect(
      sim.router.login({ user: code, password: code, ip: p.ip, mac: p.mac, by: 'http-pap' }),
    ).toMatchObject({
      ok: true,
    });
  }
  return { code, accessCodeId: issued.accessCodeId };
}

describe('a third device recovering a 2-device package with the receipt', () => {
  it('takes the replaced device off the router before the new one logs in', async () => {
    const { code, accessCodeId } = await paidOnTwoPhones();
    // Phone 1 was seen least recently.
    await app.deps.db.execute(
      sql`UPDATE access_devices SET last_seen_at = ${new Date(clock.now().getTime() - 3600_000)}
          WHERE access_code_id = ${accessCodeId} AND mac = ${phone(1).mac}`,
    );
    for (const n of [1, 2]) {
      expect(active(phone(n).mac)).toHaveLength(1);
      expect(cookies(phone(n).mac)).toHaveLength(1);
    }
    // The defect this guards against: with both slots still taken, the router refuses a third.
    const third = phone(3);
    sim.router.join(third.mac, third.ip);
    expect(
      sim.router.login({ user: code, password: code, ip: third.ip, mac: third.mac, by: 'http-pap' }),
    ).toMatchObject({
      ok: false,
      key: 'user-session-limit',
    });

    const hs = { mac: third.mac, ip: third.ip, router: 'gate' };
    const r = await inject({ method: 'POST', url: '/portal/recover', form: { ...hs, receipt: RECEIPT } });
    expect(r.statusCode).toBe(303);
    const connect = String(r.headers.location);
    expect(connect).toMatch(/^\/portal\/connect\?/);
    // The release is a durable job row written with the rebind; until it has run, no login.
    const [job] = await query<{ status: string; payload: { mac: string } }>(
      app.deps.db,
      sql`SELECT status, payload FROM jobs WHERE kind = 'gateway.release-device'`,
    );
    expect(job).toMatchObject({ status: 'queued', payload: { mac: phone(1).mac } });
    const waiting = await inject({ url: connect });
    expect(waiting.statusCode).toBe(200);
    expect(waiting.body).toContain('Getting your access ready');
    expect(active(third.mac)).toEqual([]);

    await app.worker!.drain();
    // Phone 1 is off the router, its cookie too (it cannot log straight back in); phone 2 stays.
    expect(active(phone(1).mac)).toEqual([]);
    expect(cookies(phone(1).mac)).toEqual([]);
    expect(active(phone(2).mac)).toHaveLength(1);

    const done = await inject({ url: connect });
    expect(done.statusCode).toBe(303);
    expect(String(done.headers.location)).toMatch(/^\/portal\/status\?/);
    expect(active(third.mac)).toMatchObject([{ user: code, address: third.ip }]);
    const status = await inject({ url: String(done.headers.location) });
    expect(status.body).toContain('You are online');
  });
});

describe('a paid customer whose router login fails', () => {
  it('sees that they paid, their code and a retry, never the packages; the retry gets them online', async () => {
    const [router] = await query<{ id: number }>(
      app.deps.db,
      sql`SELECT id FROM routers WHERE name = 'gate'`,
    );
    const [plan] = await query<{ id: number }>(app.deps.db, sql`SELECT id FROM plans WHERE name = '1 Hour'`);
    const me = phone(7);
    // The phone joins the WiFi: the router's login page sends it to the portal.
    const landing = portalUrl((await atRouter('http://router.test/login', me)).body);
    expect(landing).toContain(`mac=${encodeURIComponent(me.mac)}`);
    const issued = await paid({ planId: plan!.id, amount: 20, mac: me.mac, routerId: router!.id });
    const { purchaseId } = issued;
    await app.worker!.drain();
    const hsQuery = landing.slice('/portal?'.length);
    const toConnect = await inject({ url: `/portal/wait/${purchaseId}?${hsQuery}` });
    expect(toConnect.statusCode).toBe(303);
    const connect = await inject({ url: String(toConnect.headers.location) });
    expect(connect.statusCode).toBe(200);
    const setCookie = ([] as string[]).concat(connect.headers['set-cookie'] as string | string[]);
    const paidCookie = setCookie.find((c) => c.startsWith('wavu_paid='))!;
    expect(paidCookie).toMatch(/HttpOnly/);
    const cookie = paidCookie.split(';')[0]!;

    // The router lost the user before the login (say, reset without a reconcile yet).
    const user = sim.router.list('/ip/hotspot/user').find((u) => u.name === issued.code)!;
    sim.router.remove('/ip/hotspot/user', { '.id': user['.id']! });
    const login = form(connect.body);
    const refused = await atRouter(login.action, me, login.fields);
    expect(refused.status).toBe(200);
    const back = portalUrl(refused.body);
    expect(back).toContain('error=invalid+username+or+password');

    const paidPage = await inject({ url: back, cookie });
    expect(paidPage.statusCode).toBe(200);
    expect(paidPage.body).toContain('You have paid');
    expect(paidPage.body).toContain(formatCode(issued.code));
    expect(paidPage.body).toContain('invalid username or password');
    expect(paidPage.body).toContain('action="/portal/paid/retry"');
    expect(paidPage.body).not.toContain('Pay with M-Pesa');
    // Kiswahili too.
    const sw = await inject({ url: `${back}&lang=sw`, cookie });
    expect(sw.body).toContain('Umeshalipa');
    // Without the cookie (another browser) nothing is revealed: the ordinary packages page.
    const stranger = await inject({ url: back });
    expect(stranger.body).toContain('Pay with M-Pesa');
    expect(stranger.body).not.toContain(formatCode(issued.code));
    // Nor for another device with this browser's cookie.
    const other = await inject({
      url: back.replace(encodeURIComponent(me.mac), encodeURIComponent(phone(8).mac)),
      cookie,
    });
    expect(other.body).not.toContain(formatCode(issued.code));

    // Try again (a plain form: no JavaScript needed): the access is pushed to the router again.
    const retry = form(paidPage.body);
    const again = await inject({ method: 'POST', url: retry.action, form: retry.fields, cookie });
    expect(again.statusCode).toBe(303);
    const connectAgain = String(again.headers.location);
    expect(connectAgain).toMatch(/^\/portal\/connect\?/);
    expect((await inject({ url: connectAgain })).body).toContain('Getting your access ready');
    await app.worker!.drain();
    const relogin = form((await inject({ url: connectAgain })).body);
    const ok = await atRouter(relogin.action, me, relogin.fields);
    expect(ok.status).toBe(302);
    expect(active(me.mac)).toMatchObject([{ user: issued.code, address: me.ip }]);
  });
});
