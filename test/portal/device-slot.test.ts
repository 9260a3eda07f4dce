/**
 * "Already paid?" on one device too many: the code moves to the new device only after the device
 * it replaces is off the router. A code for 2 devices is online on two phones of a simulated
 * MikroTik (api mode, over its RouterOS API); a third recovers with the M-Pesa receipt. The
 * replaced phone's active entry and MAC cookie are removed (a durable job), the portal holds the
 * login until then, and the new phone logs in and is active. Real app, fresh database.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueForPurchase } from '../../src/access/issue-for-purchase.ts';
import type { App } from '../../src/app/run.ts';
import { query } from '../../src/db/open.ts';
import { addRouter } from '../../src/gateways/registry.ts';
import { ManualClock } from '../../src/lib/clock.ts';
import { type RouterOsSim, startRouterOsSim } from '../../src/sim/routeros/index.ts';
import { startDrainedApp } from '../helpers/app.ts';
import type { TestDatabase } from '../helpers/db.ts';

let t: TestDatabase;
let app: App;
let sim: RouterOsSim;
const clock = new ManualClock('2026-03-01T08:00:00Z');
const RECEIPT = 'TK84ABC123';

beforeAll(async () => {
  ({ t, app } = await startDrainedApp(clock));
  sim = await startRouterOsSim({
    users: [{ name: 'wavu', password: 'router-pass-123' }],
    now: () => clock.now().getTime(),
  });
  await addRouter(app.deps, {
    mode: 'api',
    name: 'gate',
    host: '127.0.0.1',
    port: sim.apiPort,
    transport: 'api',
    username: 'wavu',
    password: 'router-pass-123',
  });
});
afterAll(async () => {
  await app.stop();
  await app.deps.routerConnections.closeAll();
  await sim.stop();
  await t.drop();
});

const phone = (n: number) => ({ mac: `A4:5E:60:08:40:0${n}`, ip: `10.5.50.${80 + n}` });
const active = (mac: string) => sim.router.list('/ip/hotspot/active').filter((a) => a['mac-address'] === mac);
const cookies = (mac: string) =>
  sim.router.list('/ip/hotspot/cookie').filter((c) => c['mac-address'] === mac);
const inject = (o: { method?: 'GET' | 'POST'; url: string; form?: Record<string, string> }) =>
  app.server!.inject({
    method: o.method ?? 'GET',
    url: o.url,
    ...(o.form
      ? {
          payload: new URLSearchParams(o.form).toString(),
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
        }
      : {}),
    remoteAddress: '203.0.113.10',
  });

/** A paid 2-device package, online on phones 1 and 2 (both logged in at the router, cookies set). */
async function paidOnTwoPhones() {
  const [router] = await query<{ id: number }>(app.deps.db, sql`SELECT id FROM routers WHERE name = 'gate'`);
  const [plan] = await query<{ id: number }>(
    app.deps.db,
    sql`INSERT INTO plans (name, price_kes, duration_seconds, devices) VALUES ('Two phones', 80, 3600, 2) RETURNING id`,
  );
  const purchaseId = randomUUID();
  const issued = await app.deps.db.transaction(async (tx) => {
    await tx.execute(
      sql`INSERT INTO purchases (id, ref, plan_id, phone, amount_kes, channel, created_at)
          VALUES (${purchaseId}, 'DS0840', ${plan!.id}, '254712084001', 80, 'stk', ${clock.now()})`,
    );
    const r = await issueForPurchase(tx, app.deps, {
      purchaseId,
      planId: plan!.id,
      phone: '254712084001',
      mac: phone(1).mac,
      routerId: router!.id,
      purpose: 'access',
    });
    await tx.execute(
      sql`UPDATE purchases SET status = 'paid', paid_at = ${clock.now()}, paid_amount_kes = 80,
             mpesa_receipt = ${RECEIPT}, access_code_id = ${r.accessCodeId} WHERE id = ${purchaseId}`,
    );
    return r;
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
