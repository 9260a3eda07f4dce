/**
 * Live sessions of api-mode routers, polled from the simulated MikroTik over real sockets: rows
 * open, grow and close; usage is charged to the code once however often (and from however many
 * nodes) the poll runs; Disconnect kicks and closes; an unreachable router keeps its sessions as
 * stale and shows a plain-language problem. Time moves only through the shared ManualClock.
 */
import { randomUUID } from 'node:crypto';
import { SYSTEM } from '../../src/audit/index.ts';
import net from 'node:net';
import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { type App, createApp } from '../../src/app/run.ts';
import { asDate, query } from '../../src/db/open.ts';
import { adapterFor } from '../../src/gateways/modes.ts';
import { gatewaysModule } from '../../src/gateways/module.ts';
import { routerById } from '../../src/gateways/routers/repo.ts';
import { addRouter } from '../../src/gateways/index.ts';
import { pollRouterSessions } from '../../src/gateways/sessions/poll-router-sessions.ts';
import { syncRouterSessions } from '../../src/gateways/sessions/sync-router-sessions.ts';
import { adminHeaders } from '../admin/helpers.ts';
import { silentLog, testConfig } from '../helpers/app.ts';
import { onPostgres } from '../helpers/db.ts';
import { type Harness, harness } from './helpers.ts';

let h: Harness;
let other: App | null = null;
afterEach(async () => {
  await other?.stop();
  await other?.deps.routerConnections.closeAll();
  other = null;
  await h?.close();
});

const MAC = 'A4:00:00:00:00:01';
const IP = '10.5.50.9';

// One signed-in owner per harness (making an account hashes a password: slow by design).
const signedIn = new WeakMap<Harness, Promise<Record<string, string>>>();

async function api(method: 'GET' | 'POST', url: string) {
  if (!signedIn.has(h)) signedIn.set(h, adminHeaders(h.app));
  const headers = await signedIn.get(h)!;
  const res = await h.app.server!.inject({
    method,
    url,
    headers,
    ...(method === 'POST' ? { payload: {} } : {}),
  });
  return { status: res.statusCode, body: res.json(), text: res.body };
}

/** A paid code granted on the simulated router, and its device logged in there. */
async function online(o: { mac?: string; ip?: string } = {}) {
  const c = await h.issue({ mac: o.mac ?? MAC });
  await h.drain();
  const r = h.sim.router.login({
    user: c.code,
    password: c.code,
    ip: o.ip ?? IP,
    mac: o.mac ?? MAC,
    by: 'http-pap',
  });
  expect(r.ok).toBe(true);
  return c;
}

async function usage(accessCodeId: string) {
  const [r] = await query<{ used_seconds: number; used_bytes: number; status: string }>(
    h.app.deps.db,
    sql`SELECT used_seconds, used_bytes, status FROM access_codes WHERE id = ${accessCodeId}`,
  );
  return { seconds: Number(r!.used_seconds), bytes: Number(r!.used_bytes), status: r!.status };
}

async function rows() {
  return query<Record<string, any>>(
    h.app.deps.db,
    sql`SELECT * FROM sessions WHERE router_id = ${h.routerId} ORDER BY started_at, id`,
  );
}

/** What the simulated router itself says the session has moved (bytes in + out) and its uptime. */
function onRouter(mac = MAC) {
  const a = h.active().find((x) => x['mac-address'] === mac)!;
  return { bytes: Number(a['bytes-in']) + Number(a['bytes-out']), id: a['.id']! };
}

const later = async (seconds: number) => {
  h.clock.advance(seconds * 1000);
  return h.drain();
};

describe('api-mode sessions', () => {
  it('a customer online on the router shows in the Sessions list within one poll, with bytes that grow', async () => {
    h = await harness({ admin: true });
    const paidAt = new Date(h.clock.now().getTime() - 4_000);
    const c = await online();
    await h.app.deps.db.execute(
      sql`INSERT INTO purchases (id, ref, plan_id, amount_kes, channel, status, paid_at, access_code_id)
          VALUES (${randomUUID()}, 'WV-TTA1', 1, 20, 'stk', 'paid', ${paidAt}, ${c.accessCodeId})`,
    );
    h.sim.router.addTraffic(MAC, 20_000, 300_000);

    // Opening the page asks for a poll and answers at once; the poll job is what fills it.
    const first = await api('GET', '/api/admin/sessions');
    expect(first.status).toBe(200);
    expect(first.body.items).toEqual([]);
    expect(await h.drain()).toBeGreaterThan(0);
    const { body } = await api('GET', '/api/admin/sessions');
    expect(body.items).toHaveLength(1);
    expect(body.items[0]).toMatchObject({
      status: 'active',
      routerName: 'r1',
      accessCodeId: c.accessCodeId,
      planName: '1 Hour',
      username: c.code,
      mac: MAC,
      ip: IP,
      bytesIn: 20_000,
      bytesOut: 300_000,
      staleSince: null,
    });

    // The schedule polls again a slot later; bytes and uptime grew on the router and here.
    h.sim.router.trafficPerSecond = { bytesIn: 1_000, bytesOut: 10_000 };
    await later(30);
    const [s] = (await api('GET', '/api/admin/sessions')).body.items;
    expect(s.bytesIn).toBe(20_000 + 30_000);
    expect(s.bytesOut).toBe(300_000 + 300_000);
    expect(s.seconds).toBe(30);
    expect(await usage(c.accessCodeId)).toMatchObject({ seconds: 30, bytes: onRouter().bytes });

    // Dashboard, Routers and the code detail count the api-mode session like a RADIUS one.
    const d = (await api('GET', '/api/admin/dashboard?days=1')).body;
    expect(d.sessions.active).toBe(1);
    expect(d.sessions.activePerRouter).toEqual([{ routerId: h.routerId, name: 'r1', active: 1 }]);
    expect(d.timeToAccess).toMatchObject({ samples: 1, p50: 4 });
    const routers = (await api('GET', '/api/admin/routers')).body.items;
    expect(routers[0]).toMatchObject({ name: 'r1', activeSessions: 1, staleSessions: 0, problem: null });
    const code = (await api('GET', `/api/admin/codes/${c.accessCodeId}`)).body;
    expect(code).toMatchObject({ usedSeconds: 30, usedBytes: 650_000 });
  });

  it('charges the code exactly once across repeated and concurrent polls, on two nodes', async () => {
    h = await harness();
    const c = await online();
    h.sim.router.trafficPerSecond = { bytesIn: 7_000, bytesOut: 91_000 };
    // A second node: its own pool (PostgreSQL) and its own connection to the router.
    other = onPostgres()
      ? await createApp({
          config: testConfig(),
          roles: [],
          log: silentLog(),
          database: await h.t.openAnother(),
          clock: h.clock,
          modules: [gatewaysModule],
        })
      : null;
    const nodes = [h.app.deps, other?.deps ?? h.app.deps];
    for (let round = 1; round <= 4; round++) {
      h.clock.advance(17_000);
      const results = await Promise.all(
        [...nodes, ...nodes, ...nodes].map((deps) => pollRouterSessions(deps, h.routerId)),
      );
      expect(results.every((r) => r.ok === true)).toBe(true);
      // Repeating a poll at the same moment adds nothing.
      await pollRouterSessions(h.app.deps, h.routerId);
      expect(await usage(c.accessCodeId)).toMatchObject({
        seconds: 17 * round,
        bytes: onRouter().bytes,
      });
    }
    expect(onRouter().bytes).toBe(98_000 * 17 * 4);
    expect(await rows()).toHaveLength(1);
  });

  it('a report older than the last one applied is dropped and cannot reopen a closed session', async () => {
    h = await harness({ polls: true });
    await online();
    await later(30);
    // A slow poll asks at +10 s, and its answer arrives only after a newer poll closed the session.
    h.clock.advance(10_000);
    const askedAt = h.clock.now();
    const slow = await listActive();
    h.clock.advance(5_000);
    h.sim.router.remove('/ip/hotspot/active', { '.id': onRouter().id });
    expect(await pollRouterSessions(h.app.deps, h.routerId)).toMatchObject({ ok: true, sync: { closed: 1 } });
    const late = await syncRouterSessions(h.app.deps, h.routerId, slow, askedAt);
    expect(late.skipped).toBe(true);
    const all = await rows();
    expect(all).toHaveLength(1);
    expect(all[0]).toMatchObject({ status: 'closed', terminate_cause: 'Gone-From-Router' });
  });

  it('a rebooted router that reuses session ids starts a new session; the old one closes unchanged', async () => {
    h = await harness({ polls: true });
    const c = await online();
    h.sim.router.addTraffic(MAC, 5_000, 50_000);
    await later(40);
    const [firstRow] = await rows();
    expect(firstRow).toMatchObject({ acct_session_id: '*1', status: 'active' });
    h.sim.setFault('reboot');
    h.clock.advance(5_000);
    expect(h.sim.router.login({ user: c.code, password: c.code, ip: IP, mac: MAC, by: 'cookie' }).ok).toBe(
      true,
    );
    h.sim.router.addTraffic(MAC, 1_000, 2_000);
    h.clock.advance(10_000);
    expect(onRouter().id).toBe('*1');
    await pollRouterSessions(h.app.deps, h.routerId);
    const all = await rows();
    expect(all).toHaveLength(2);
    expect(all[0]).toMatchObject({
      id: firstRow!.id,
      status: 'closed',
      terminate_cause: 'Counter-Reset',
      input_bytes: firstRow!.input_bytes,
    });
    expect(all[1]).toMatchObject({ acct_session_id: '*1', status: 'active' });
    expect(Number(all[1]!.session_seconds)).toBe(10);
    // Both sessions are charged in full, each once: 40 s + 55 kB, then 10 s + 3 kB.
    expect(await usage(c.accessCodeId)).toMatchObject({ seconds: 50, bytes: 58_000 });
    await pollRouterSessions(h.app.deps, h.routerId);
    expect(await usage(c.accessCodeId)).toMatchObject({ seconds: 50, bytes: 58_000 });
  });

  it('a data cap used up on an api-mode router expires the code and takes it off the router', async () => {
    h = await harness({ polls: true });
    const c = await online();
    await later(30);
    // The cap is checked here as the polls charge it (the router's own limit is only the safety net).
    await h.app.deps.db.execute(
      sql`UPDATE access_codes SET data_cap_bytes = 1000000 WHERE id = ${c.accessCodeId}`,
    );
    h.sim.router.addTraffic(MAC, 200_000, 900_000);
    await later(30);
    expect((await usage(c.accessCodeId)).status).toBe('expired');
    expect(h.ourUsers()).toEqual([]);
    expect(h.active()).toEqual([]);
    await later(30);
    const [s] = await rows();
    expect(s).toMatchObject({ status: 'closed', terminate_cause: 'Gone-From-Router' });
  });

  it('Disconnect removes the session and its cookie from the router and closes the row', async () => {
    h = await harness({ admin: true });
    await online();
    expect(h.sim.router.list('/ip/hotspot/cookie')).toHaveLength(1);
    await later(30);
    const [s] = (await api('GET', '/api/admin/sessions')).body.items;
    expect((await api('POST', `/api/admin/sessions/${s.id}/disconnect`)).status).toBe(200);
    await h.drain();
    expect(h.active()).toEqual([]);
    expect(h.sim.router.list('/ip/hotspot/cookie')).toEqual([]);
    const [row] = await rows();
    expect(row).toMatchObject({ id: s.id, status: 'closed', terminate_cause: 'Admin-Reset' });
    expect((await api('GET', '/api/admin/sessions')).body.items).toEqual([]);
  });

  it('an unreachable router keeps its sessions as stale, not closed, and says why in plain words', async () => {
    h = await harness({ admin: true });
    await online();
    await later(30);
    // A second router whose API port has nothing listening: connection refused.
    const closedPort = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as net.AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    await addRouter(
      h.app.deps,
      {
        mode: 'api',
        name: 'r2',
        host: '127.0.0.1',
        port: closedPort,
        transport: 'api',
        username: 'wavu',
        password: 'router-pass-123',
      },
      { actor: SYSTEM },
    );
    h.sim.setFault('down');
    await later(30);
    const [s] = await rows();
    expect(s).toMatchObject({ status: 'active' });
    expect(asDate(s!.stale_since).toISOString()).toBe(h.clock.now().toISOString());
    const list = await api('GET', '/api/admin/sessions');
    expect(list.body.items[0]).toMatchObject({ status: 'active', staleSince: h.clock.now().toISOString() });

    const routers = await api('GET', '/api/admin/routers');
    const byName = Object.fromEntries(routers.body.items.map((r: any) => [r.name, r]));
    expect(byName.r1).toMatchObject({ status: 'down', activeSessions: 1, staleSessions: 1 });
    expect(byName.r1.problem).toMatch(/dropped the connection|does not answer/);
    expect(byName.r2.problem).toBe(
      `Wavu can't reach the router at 127.0.0.1:${closedPort} — is the api service enabled (IP → Services) and the port open?`,
    );
    expect(routers.text).not.toMatch(/ECONN|ETIMEDOUT|EHOST|socket|TLS/);

    // Back: the session is live again, no longer stale, and its figures move on.
    h.sim.setFault('none');
    h.sim.router.addTraffic(MAC, 1, 1);
    await later(30);
    const [back] = await rows();
    expect(back).toMatchObject({ id: s!.id, status: 'active', stale_since: null });
    expect(Number(back!.session_seconds)).toBe(90);
  });
});

async function listActive() {
  return adapterFor(h.app.deps, (await routerById(h.app.deps.db, h.routerId))!).listActive();
}
