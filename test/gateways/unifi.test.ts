/**
 * UniFi mode against the controller simulator over real HTTP: both wire dialects (Integration
 * API with a key; legacy API, classic and UniFi OS with its CSRF token) and their failure modes
 * (rejected key, lapsed session, stale CSRF, unknown MAC, rate limit), then the whole path in
 * Wavu: the guest arrives at /guest/s/<site>/, logs in with a code, the grant job authorises the
 * device with the plan's limits, the session poll sees it, revoke and the minutes take it off.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueForPurchase } from '../../src/access/issue-for-purchase.ts';
import { sweepExpired } from '../../src/access/expire-job.ts';
import { revokeCode } from '../../src/access/revoke.ts';
import type { App } from '../../src/app/run.ts';
import { SYSTEM } from '../../src/audit/index.ts';
import { query } from '../../src/db/open.ts';
import { healthCheckAll, reconcileRouter } from '../../src/gateways/jobs.ts';
import { addRouter } from '../../src/gateways/index.ts';
import { getRouter } from '../../src/gateways/routers/get-router.ts';
import { routerScript } from '../../src/gateways/routers/router-script.ts';
import { findRouter } from '../../src/gateways/routers/get-router.ts';
import { pollRouterSessions } from '../../src/gateways/sessions/poll-router-sessions.ts';
import { ManualClock } from '../../src/lib/clock.ts';
import { UnifiError, unifiClient } from '../../src/protocols/unifi/index.ts';
import { startUnifiSim, type UnifiSim } from '../../src/sim/unifi/index.ts';
import { startDrainedApp } from '../helpers/app.ts';
import type { TestDatabase } from '../helpers/db.ts';

const KEY = 'k3y-0123456789abcdefXYZ';
const MAC = '02:00:00:aa:00:01';
const LIMITS = { minutes: 30, upKbps: 512, downKbps: 2048, megabytes: 100 };

const reason = (p: Promise<unknown>) =>
  p.then(
    () => 'resolved',
    (e: unknown) => (e instanceof UnifiError ? e.kind : String(e)),
  );

describe('UniFi controller wire (simulator over HTTP)', () => {
  let sim: UnifiSim;
  beforeAll(async () => {
    sim = await startUnifiSim({ apiKey: KEY, username: 'wavu', password: 'pw-123456' });
  });
  afterAll(async () => sim?.close());

  it('Integration API: a wrong key is "auth"; an unknown MAC is "unknown_mac"; authorise sets the limits', async () => {
    const bad = unifiClient({
      baseUrl: sim.url,
      site: 'default',
      kind: 'integration',
      apiKey: 'wrong-key-0000000000',
    });
    expect(await reason(bad.version())).toBe('auth');
    const c = unifiClient({ baseUrl: sim.url, site: 'default', kind: 'integration', apiKey: KEY });
    expect(await c.version()).toBe('9.3.45');
    expect(await reason(c.authorize('02:00:00:00:99:99', LIMITS))).toBe('unknown_mac');
    sim.join(MAC, '10.5.0.2');
    await c.authorize(MAC.toUpperCase(), LIMITS);
    expect(sim.station(MAC)).toMatchObject({
      authorized: true,
      minutes: 30,
      upKbps: 512,
      downKbps: 2048,
      megabytes: 100,
    });
    sim.traffic(MAC, 700, 9000);
    const [st] = await c.stations();
    expect(st).toMatchObject({
      mac: MAC.toUpperCase(),
      ip: '10.5.0.2',
      authorized: true,
      bytesIn: 700,
      bytesOut: 9000,
    });
    await c.unauthorize(MAC);
    expect(sim.station(MAC)!.authorized).toBe(false);
    const otherSite = unifiClient({ baseUrl: sim.url, site: 'lodge', kind: 'integration', apiKey: KEY });
    await expect(otherSite.version()).rejects.toThrow(/no site "lodge"/);
  });

  it('classic: a lapsed session logs in again once; a wrong password is "auth"', async () => {
    const c = unifiClient({
      baseUrl: sim.url,
      site: 'default',
      kind: 'classic',
      username: 'wavu',
      password: 'pw-123456',
    });
    await c.authorize(MAC, LIMITS);
    expect(sim.station(MAC)!.authorized).toBe(true);
    const logins = () => sim.requests.filter((r) => r === 'POST /api/login').length;
    const before = logins();
    sim.expireSessions();
    await c.unauthorize(MAC);
    expect(logins()).toBe(before + 1);
    expect(sim.station(MAC)!.authorized).toBe(false);
    const st = await c.stations();
    expect(st.find((s) => s.mac === MAC.toUpperCase())).toMatchObject({ authorized: false, ip: '10.5.0.2' });
    expect(await reason(c.authorize('02:00:00:00:99:99', LIMITS))).toBe('unknown_mac');
    const wrong = unifiClient({
      baseUrl: sim.url,
      site: 'default',
      kind: 'classic',
      username: 'wavu',
      password: 'nope',
    });
    expect(await reason(wrong.version())).toBe('auth');
  });

  it('UniFi OS: writes need the CSRF token; a stale one logs in again; rate limits carry Retry-After', async () => {
    // Without the header the console refuses the write.
    const login = await fetch(`${sim.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'wavu', password: 'pw-123456' }),
    });
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    expect(login.headers.get('x-csrf-token')).toBeTruthy();
    const raw = await fetch(`${sim.url}/proxy/network/api/s/default/cmd/stamgr`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie },
      body: JSON.stringify({ cmd: 'authorize-guest', mac: MAC }),
    });
    expect(raw.status).toBe(403);
    expect(sim.station(MAC)!.authorized).toBe(false);

    const c = unifiClient({
      baseUrl: sim.url,
      site: 'default',
      kind: 'unifi-os',
      username: 'wavu',
      password: 'pw-123456',
    });
    await c.authorize(MAC, LIMITS);
    expect(sim.station(MAC)!.authorized).toBe(true);
    sim.rotateCsrf();
    await c.unauthorize(MAC);
    expect(sim.station(MAC)!.authorized).toBe(false);

    sim.rateLimit(1, 3);
    const e = await c.stations().catch((x: unknown) => x);
    expect(e).toBeInstanceOf(UnifiError);
    expect((e as UnifiError).kind).toBe('rate_limited');
    expect((e as UnifiError).retryAfterMs).toBe(3000);
    expect((await c.stations()).length).toBeGreaterThan(0);

    const junk = await fetch(`${sim.url}/api/login`, { method: 'POST', body: '{not json' });
    expect(junk.status).toBe(400);
  });
});

describe('UniFi sites in Wavu', () => {
  const clock = new ManualClock('2026-03-02T08:00:00Z');
  let t: TestDatabase;
  let app: App;
  let sim: UnifiSim;

  beforeAll(async () => {
    ({ t, app } = await startDrainedApp(clock));
    sim = await startUnifiSim({ apiKey: KEY, site: 'cafe', now: () => clock.now() });
  });
  afterAll(async () => {
    await app?.stop();
    await sim?.close();
    await t?.drop();
  });

  const arrive = (path: string, q: Record<string, string>) =>
    app.server!.inject({ method: 'GET', url: `${path}?${new URLSearchParams(q)}` });
  const login = (url: string, code: string) =>
    app.server!.inject({
      method: 'POST',
      url: new URL(url).pathname,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ username: code, password: code, dst: 'http://example.org/' }).toString(),
    });

  it('refuses incomplete or wrong router input, naming the field', async () => {
    const add = (o: Record<string, unknown>) =>
      addRouter(app.deps, { mode: 'unifi', name: 'u-bad', ...o } as never, { actor: SYSTEM });
    await expect(add({ apiKey: KEY })).rejects.toThrow(/controller/);
    await expect(add({ controller: 'ftp://x' })).rejects.toThrow(/controller address/);
    await expect(add({ controller: sim.url })).rejects.toThrow(/username/);
    await expect(add({ controller: sim.url, api: 'integration' })).rejects.toThrow(/apiKey/);
    await expect(add({ controller: sim.url, apiKey: KEY, unifiSite: '../x' })).rejects.toThrow(/site name/);
    await expect(add({ controller: sim.url, apiKey: KEY, api: 'v2' })).rejects.toThrow(
      /integration, unifi-os or classic/,
    );
  });

  it('arrival → code → the controller authorises the device with the plan; sessions; revoke; a rejected key shows', async () => {
    const { router } = await addRouter(
      app.deps,
      { mode: 'unifi', name: 'cafe-ap', controller: sim.url, unifiSite: 'cafe', apiKey: KEY },
      { actor: SYSTEM },
    );
    expect(router).toMatchObject({ mode: 'unifi', unifiApi: 'integration', unifiSite: 'cafe' });
    const script = await routerScript(app.deps, await findRouter(app.deps, router.id));
    expect(script).toMatch(/External portal server/);
    expect(script).toContain('/guest/s/cafe/');

    // Bad arrivals: no MAC, an unknown site, a bad site name.
    expect((await arrive('/guest/s/cafe/', { ap: '02:00:00:00:00:ff' })).statusCode).toBe(400);
    expect((await arrive('/guest/s/nowhere/', { id: MAC })).statusCode).toBe(404);
    expect((await arrive('/unifi/999999/guest/s/cafe/', { id: MAC })).statusCode).toBe(404);

    sim.join(MAC, '10.5.0.7');
    const a = await arrive('/guest/s/cafe/', {
      id: MAC,
      ap: '02:00:00:00:00:ff',
      t: '1700000000',
      url: 'http://example.org/x',
      ssid: 'Cafe WiFi',
    });
    expect(a.statusCode).toBe(303);
    const to = new URL(a.headers.location as string, 'http://x');
    expect(to.pathname).toBe('/portal');
    expect(to.searchParams.get('mac')).toBe(MAC.toUpperCase());
    expect(to.searchParams.get('router')).toBe('cafe-ap');
    expect(to.searchParams.get('link-orig')).toBe('http://example.org/x');
    const loginUrl = to.searchParams.get('link-login-only')!;
    expect(loginUrl).toMatch(/\/portal\/unifi\/login\//);

    // A ticket pointed at another device (signature no longer matches) is refused.
    const forged = loginUrl.replace('020000AA0001', '020000AA0002');
    const { code, accessCodeId } = await app.deps.db.transaction((tx) =>
      issueForPurchase(tx, app.deps, {
        purchaseId: randomUUID(),
        planId: 1,
        phone: null,
        mac: null,
        routerId: router.id,
        purpose: 'access',
      }),
    );
    expect((await login(forged, code)).statusCode).toBe(404);
    const wrong = await login(loginUrl, 'WRONGCODE1');
    expect(wrong.statusCode).toBe(303);
    expect(wrong.headers.location).toMatch(/^\/portal\?.*error=/);
    await app.worker!.drain();
    expect(sim.station(MAC)!.authorized).toBe(false);

    const ok = await login(loginUrl, code);
    expect(ok.statusCode).toBe(303);
    const wait = ok.headers.location as string;
    expect(wait).toContain(`/portal/unifi/wait/`);
    expect((await app.server!.inject({ method: 'GET', url: wait })).statusCode).toBe(200);
    await app.worker!.drain();
    // Plan 1: one hour, no rate limit or cap in the seeds.
    expect(sim.station(MAC)).toMatchObject({ authorized: true, minutes: 60 });
    const done = await app.server!.inject({ method: 'GET', url: wait });
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe('http://example.org/');

    // Sessions and usage from the controller's client list.
    sim.traffic(MAC, 1500, 42_000);
    const polled = await pollRouterSessions(app.deps, router.id);
    expect(polled.ok).toBe(true);
    const [s] = await query<{ access_code_id: string; mac: string; output_bytes: number; status: string }>(
      app.deps.db,
      sql`SELECT access_code_id, mac, output_bytes, status FROM sessions WHERE router_id = ${router.id}`,
    );
    expect(s).toMatchObject({ access_code_id: accessCodeId, mac: MAC.toUpperCase(), status: 'active' });
    expect(Number(s!.output_bytes)).toBe(42_000);

    // Revoke: unauthorised on the controller.
    await revokeCode(app.deps, { accessCodeId, actor: SYSTEM });
    await app.worker!.drain();
    expect(sim.station(MAC)!.authorized).toBe(false);

    // The controller ends an authorisation by itself when its minutes run out.
    const again = await app.deps.db.transaction((tx) =>
      issueForPurchase(tx, app.deps, {
        purchaseId: randomUUID(),
        planId: 1,
        phone: null,
        mac: null,
        routerId: router.id,
        purpose: 'access',
      }),
    );
    await login(loginUrl, again.code);
    await app.worker!.drain();
    expect(sim.station(MAC)!.authorized).toBe(true);
    clock.advance(61 * 60_000);
    expect(sim.station(MAC)!.authorized).toBe(false);

    // A site whose key the controller rejects is shown as such.
    const { router: bad } = await addRouter(
      app.deps,
      {
        mode: 'unifi',
        name: 'cafe-old-key',
        controller: sim.url,
        unifiSite: 'cafe',
        apiKey: 'revoked-key-000000000',
      },
      { actor: SYSTEM },
    );
    await healthCheckAll(app.deps);
    const view = await getRouter(app.deps, bad.id);
    expect(view.status).toBe('down');
    expect(view.problem).toMatch(/rejected Wavu's API key/);
    expect((await getRouter(app.deps, router.id)).status).toBe('up');
    // Two routers now share the site name: the plain address is ambiguous, the per-router one is not.
    expect((await arrive('/guest/s/cafe/', { id: MAC })).statusCode).toBe(409);
    expect((await arrive(`/unifi/${router.id}/guest/s/cafe/`, { id: MAC })).statusCode).toBe(303);
  });
});

describe('UniFi reconcile (the controller against our live codes)', () => {
  const clock = new ManualClock('2026-03-02T08:00:00Z');
  const SITE = 'lodge';
  const [A, B, C, E] = ['02:00:00:bb:00:0a', '02:00:00:bb:00:0b', '02:00:00:bb:00:0c', '02:00:00:bb:00:0e'];
  let t: TestDatabase;
  let app: App;
  let sim: UnifiSim;
  let routerId: number;

  beforeAll(async () => {
    ({ t, app } = await startDrainedApp(clock));
    sim = await startUnifiSim({ apiKey: KEY, site: SITE, now: () => clock.now() });
    ({
      router: { id: routerId },
    } = await addRouter(
      app.deps,
      { mode: 'unifi', name: 'lodge-ap', controller: sim.url, unifiSite: SITE, apiKey: KEY },
      { actor: SYSTEM },
    ));
  });
  afterAll(async () => {
    await app?.stop();
    await sim?.close();
    await t?.drop();
  });

  /** The device joins, is sent to our portal and logs in with a fresh one-hour code. */
  async function joinAndLogIn(mac: string, ip: string): Promise<string> {
    sim.join(mac, ip);
    const a = await app.server!.inject({ method: 'GET', url: `/guest/s/${SITE}/?id=${mac}` });
    expect(a.statusCode).toBe(303);
    const loginUrl = new URL(a.headers.location as string, 'http://x').searchParams.get('link-login-only')!;
    const { code, accessCodeId } = await app.deps.db.transaction((tx) =>
      issueForPurchase(tx, app.deps, {
        purchaseId: randomUUID(),
        planId: 1,
        phone: null,
        mac: null,
        routerId,
        purpose: 'access',
      }),
    );
    const ok = await app.server!.inject({
      method: 'POST',
      url: new URL(loginUrl).pathname,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ username: code, password: code }).toString(),
    });
    expect(ok.statusCode).toBe(303);
    await app.worker!.drain();
    expect(sim.station(mac)!.authorized).toBe(true);
    return accessCodeId;
  }

  /** The jobs that would have fixed the controller are lost (ran out of attempts). */
  const loseJobs = (kinds: string[]) =>
    app.deps.db.execute(
      sql`UPDATE jobs SET status = 'dead' WHERE status <> 'done' AND kind IN (${sql.join(
        kinds.map((k) => sql`${k}`),
        sql`, `,
      )})`,
    );
  const grant = async (id: string) =>
    (
      await query<{ status: string }>(
        app.deps.db,
        sql`SELECT status FROM access_grants WHERE access_code_id = ${id} AND router_id = ${routerId}`,
      )
    )[0]?.status;

  it('unauthorises expired and revoked codes, authorises live ones again, leaves the operator’s guests alone', async () => {
    const byHand = unifiClient({ baseUrl: sim.url, site: SITE, kind: 'integration', apiKey: KEY });
    const long = { minutes: 600, upKbps: null, downKbps: null, megabytes: null };
    // E: a code of ours, its hour used up on our clock (the controller ends it by itself too);
    // the revoke that follows its expiry is lost.
    const e = await joinAndLogIn(E, '10.6.0.14');
    // C: the operator's own guest, never bound to a code of ours.
    sim.join(C, '10.6.0.12');
    await byHand.authorize(C, long);
    clock.advance(61 * 60_000);
    expect(await sweepExpired(app.deps)).toBe(1);
    await loseJobs(['gateway.revoke']);

    // A and B: live codes, authorised.
    const a = await joinAndLogIn(A, '10.6.0.10');
    const b = await joinAndLogIn(B, '10.6.0.11');
    // Then the controller drifts: A's authorisation is lost (a backup restored), E is authorised
    // again by hand, and B is revoked while the controller cannot be told.
    await byHand.unauthorize(A);
    await byHand.authorize(E, long);
    await revokeCode(app.deps, { accessCodeId: b, actor: SYSTEM });
    await loseJobs(['gateway.revoke']);
    await app.worker!.drain();
    expect([A, B, C, E].map((m) => sim.station(m)!.authorized)).toEqual([false, true, true, true]);

    // The next minute: the recurring schedule reconciles the site.
    const writes = () => sim.requests.filter((r) => r.startsWith('POST ')).length;
    clock.advance(60_000);
    await app.worker!.drain();
    const [job] = await query<{ status: string }>(
      app.deps.db,
      sql`SELECT status FROM jobs WHERE kind = 'gateway.reconcile-router'
          AND payload->>'why' = 'schedule' ORDER BY id DESC LIMIT 1`,
    );
    expect(job?.status).toBe('done');
    expect([A, B, C, E].map((m) => sim.station(m)!.authorized)).toEqual([true, false, true, false]);
    // A got what is left of its hour.
    expect(sim.station(A)!.minutes).toBe(59);
    expect(await grant(a)).toBe('granted');
    expect(await grant(b)).toBe('revoked');
    expect(await grant(e)).toBe('revoked');

    // Converged: the next run has nothing to change on the controller.
    const before = writes();
    const again = await reconcileRouter(app.deps, routerId);
    expect(again).toMatchObject({ skipped: false, report: { added: 0, removed: 0, updated: 0, kicked: 0 } });
    expect(writes()).toBe(before);
  });
});
