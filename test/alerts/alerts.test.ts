/**
 * Each alert fires once and recovers once, by SMS to the owner's phone and by webhook (a real local
 * HTTP server, HMAC-signed), with a moved clock and never a real sleep; a settings change changes
 * what fires; quiet hours hold an alert until they end, and drop one that recovered meanwhile.
 * The whole app on a fresh database. PGlite and PostgreSQL (WAVU_TEST_DB=postgres).
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type AlertSettings, checkAlerts, DEFAULT_ALERT_SETTINGS, signBody } from '../../src/alerts/index.ts';
import type { App } from '../../src/app/run.ts';
import { SYSTEM } from '../../src/audit/index.ts';
import { query } from '../../src/db/open.ts';
import { addRouter } from '../../src/gateways/index.ts';
import { ManualClock } from '../../src/lib/clock.ts';
import { recordCashSale } from '../../src/payments/index.ts';
import { startDrainedApp } from '../helpers/app.ts';
import type { TestDatabase } from '../helpers/db.ts';
import { adminHeaders } from '../admin/helpers.ts';
import { freshPhone } from '../payments/helpers.ts';

const OWNER = '254700111222';
const SECRET = 'webhook-secret-123';
const MIN = 60_000;
const clock = new ManualClock('2026-03-02T09:00:00Z'); // 12:00 EAT, a Monday
let t: TestDatabase;
let app: App;
let headers: Record<string, string>;
let hook: Server;
let hookUrl: string;
const received: { body: Record<string, string>; signature: string | undefined; valid: boolean }[] = [];

beforeAll(async () => {
  ({ t, app } = await startDrainedApp(clock));
  headers = await adminHeaders(app, 'owner');
  hook = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      const signature = req.headers['x-wavu-signature'] as string | undefined;
      received.push({ body: JSON.parse(raw), signature, valid: signature === signBody(SECRET, raw) });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
  hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`;
});
afterAll(async () => {
  await app?.stop();
  await t?.drop();
  await new Promise((r) => hook?.close(r));
});

const off = Object.fromEntries(
  (
    ['routerOffline', 'noPayments', 'mpesaFailing', 'callbacksMissing', 'deadJobs', 'smsFailing'] as const
  ).map((k) => [k, { ...DEFAULT_ALERT_SETTINGS[k], enabled: false }]),
) as unknown as Pick<AlertSettings, 'routerOffline'>;

/** Only the alerts named on, the rest off: each test sees only its own. */
async function settings(s: Partial<AlertSettings>) {
  // Signed in afresh: the moved clock outlives a sign-in.
  headers = await adminHeaders(app, 'owner');
  const r = await app.server!.inject({
    method: 'PUT',
    url: '/api/admin/settings/alerts',
    headers,
    payload: {
      ...DEFAULT_ALERT_SETTINGS,
      ...off,
      phone: OWNER,
      webhookUrl: hookUrl,
      webhookSecret: SECRET,
      ...s,
    },
  });
  expect(r.statusCode, r.body).toBe(200);
}

/** Run the check, deliver what it queued; the messages it sent (SMS bodies to the owner). */
async function check(): Promise<string[]> {
  // A second on per check: each check's messages sort after the last one's.
  clock.advance(1000);
  const before = received.length;
  const sms0 = await ownerSms();
  await checkAlerts(app.deps);
  await app.worker!.drain();
  const sms = (await ownerSms()).slice(sms0.length);
  expect(received.length - before).toBe(sms.length);
  return sms;
}
const ownerSms = async () =>
  (
    await query<{ body: string }>(
      app.deps.db,
      sql`SELECT body FROM sms_messages WHERE to_phone = ${OWNER} ORDER BY created_at, id`,
    )
  ).map((r) => r.body);

beforeEach(() => {
  received.length = 0;
});

describe('alerts', () => {
  it('router offline: fires once after N minutes, recovers once; by SMS and signed webhook', async () => {
    await settings({ routerOffline: { enabled: true, minutes: 10 } });
    const { router } = await addRouter(
      app.deps,
      { mode: 'radius', name: 'shop', address: '10.9.9.9', secret: 'radius-secret-123456' },
      { actor: SYSTEM },
    );
    await app.deps.db.execute(
      sql`UPDATE routers SET status = 'down', last_seen_at = ${clock.now()} WHERE id = ${router.id}`,
    );
    clock.advance(5 * MIN);
    expect(await check()).toEqual([]);
    clock.advance(6 * MIN);
    const fired = await check();
    expect(fired).toEqual([
      expect.stringMatching(/^Wavu alert: Router shop has been offline since 12:00 EAT/),
    ]);
    expect(received[0]).toMatchObject({
      valid: true,
      body: { event: 'fired', alert: 'routerOffline', subject: 'shop' },
    });
    clock.advance(MIN);
    expect(await check()).toEqual([]);
    await app.deps.db.execute(
      sql`UPDATE routers SET status = 'up', last_seen_at = ${clock.now()} WHERE id = ${router.id}`,
    );
    const recovered = await check();
    expect(recovered).toEqual([expect.stringMatching(/^Wavu recovered: Router offline \(shop\)/)]);
    expect(received.at(-1)!.body.event).toBe('recovered');
    expect(await check()).toEqual([]);
  });

  it('a settings change changes behaviour: a longer threshold, and switched off', async () => {
    await settings({ routerOffline: { enabled: true, minutes: 30 } });
    await app.deps.db.execute(
      sql`UPDATE routers SET status = 'down', last_seen_at = ${clock.now()} WHERE name = 'shop'`,
    );
    clock.advance(11 * MIN);
    expect(await check()).toEqual([]); // 10 min would have fired; 30 does not
    await settings({ routerOffline: { enabled: false, minutes: 10 } });
    expect(await check()).toEqual([]);
    await settings({ routerOffline: { enabled: true, minutes: 10 } });
    expect(await check()).toHaveLength(1);
    // No webhook URL: SMS only. No phone: webhook only.
    await app.deps.db.execute(
      sql`UPDATE routers SET status = 'up', last_seen_at = ${clock.now()} WHERE name = 'shop'`,
    );
    await settings({ routerOffline: { enabled: true, minutes: 10 }, webhookUrl: null });
    received.length = 0;
    clock.advance(1000);
    await checkAlerts(app.deps);
    await app.worker!.drain();
    expect(received).toEqual([]);
    expect((await ownerSms()).at(-1)).toMatch(/recovered/);
  });

  it('quiet hours: held and sent after; dropped if it recovered meanwhile', async () => {
    // 22:00–06:00 EAT; now 12:23 EAT. Move to 23:00 EAT.
    await settings({
      routerOffline: { enabled: true, minutes: 10 },
      quietHours: { from: '22:00', to: '06:00' },
    });
    clock.set('2026-03-02T20:00:00Z');
    await app.deps.db.execute(
      sql`UPDATE routers SET status = 'down', last_seen_at = ${clock.now()} WHERE name = 'shop'`,
    );
    clock.advance(15 * MIN);
    expect(await check()).toEqual([]);
    // Back up before morning: nobody is woken, nothing is sent later either.
    await app.deps.db.execute(
      sql`UPDATE routers SET status = 'up', last_seen_at = ${clock.now()} WHERE name = 'shop'`,
    );
    expect(await check()).toEqual([]);
    const [dropped] = await query<{ n: number }>(
      app.deps.db,
      sql`SELECT count(*)::int AS n FROM alert_events WHERE kind = 'dropped'`,
    );
    expect(dropped!.n).toBe(1);
    // Down again at 01:00 and still down at 06:00: sent at 06:00, once.
    clock.set('2026-03-02T22:00:00Z');
    await app.deps.db.execute(
      sql`UPDATE routers SET status = 'down', last_seen_at = ${clock.now()} WHERE name = 'shop'`,
    );
    clock.advance(30 * MIN);
    expect(await check()).toEqual([]);
    clock.set('2026-03-03T03:00:00Z'); // 06:00 EAT
    expect(await check()).toHaveLength(1);
    expect(await check()).toEqual([]);
    await app.deps.db.execute(
      sql`UPDATE routers SET status = 'up', last_seen_at = ${clock.now()} WHERE name = 'shop'`,
    );
    expect(await check()).toEqual([expect.stringMatching(/recovered/)]);
  });

  it('no payments at a time of the week that normally has them (4-week baseline)', async () => {
    await settings({ noPayments: { enabled: true, hours: 2, minExpected: 2 } });
    const now = new Date('2026-03-31T09:00:00Z'); // Tuesday 12:00 EAT
    // Two sales an hour before this time of the week, in each of the last 4 weeks.
    for (const k of [1, 2, 3, 4])
      for (const m of [30, 70]) {
        clock.set(now.getTime() - k * 7 * 24 * 60 * MIN - m * MIN);
        await recordCashSale(app.deps, { planId: 1, phone: null, purpose: 'access', actor: SYSTEM });
      }
    clock.set(now);
    expect(await check()).toEqual([expect.stringMatching(/No payment in the last 2 h; .* about 2/)]);
    expect(await check()).toEqual([]);
    await recordCashSale(app.deps, { planId: 1, phone: null, purpose: 'access', actor: SYSTEM });
    expect(await check()).toEqual([expect.stringMatching(/recovered: No payments/)]);
    // A quiet time of the week (no baseline, 6 hours later with no sales then) says nothing.
    clock.set(now.getTime() + 6 * 60 * MIN);
    expect(await check()).toEqual([]);
  });

  const seedPurchase = (o: { status: string; resultCode?: string; checkout?: string | null; at: Date }) =>
    app.deps.db.execute(
      sql`INSERT INTO purchases (id, ref, plan_id, phone, amount_kes, channel, status, result_code, result_desc,
                                 checkout_request_id, created_at, updated_at, failed_at)
          VALUES (${randomUUID()}, ${`A${randomUUID().slice(0, 7)}`}, 1, ${freshPhone()}, 20, 'stk', ${o.status},
                  ${o.resultCode ?? null}, ${o.resultCode ? 'Invalid Access Token' : null}, ${o.checkout ?? null},
                  ${o.at}, ${o.at}, ${o.status === 'failed' ? o.at : null})`,
    );

  it('M-Pesa push failing: fires after N refusals, recovers when a push is accepted', async () => {
    clock.set('2026-04-06T09:00:00Z');
    await settings({ mpesaFailing: { enabled: true, failures: 3, minutes: 15 } });
    for (const _ of [1, 2])
      await seedPurchase({ status: 'failed', resultCode: 'push_failed', at: clock.now() });
    expect(await check()).toEqual([]);
    await seedPurchase({ status: 'failed', resultCode: 'push_failed', at: clock.now() });
    expect(await check()).toEqual([
      expect.stringMatching(/M-Pesa refused 3 payment prompts .*Invalid Access Token/),
    ]);
    clock.advance(MIN);
    await seedPurchase({ status: 'pending', checkout: `ws_CO_${randomUUID()}`, at: clock.now() });
    expect(await check()).toEqual([expect.stringMatching(/recovered: M-Pesa failing/)]);
  });

  it('callbacks not arriving: pushes accepted, no result for any; recovers when one comes', async () => {
    clock.set('2026-04-07T09:00:00Z');
    await settings({ callbacksMissing: { enabled: true, pushes: 3, minutes: 10 } });
    const ids = [1, 2, 3].map(() => `ws_CO_${randomUUID().slice(0, 12)}`);
    for (const id of ids) await seedPurchase({ status: 'pending', checkout: id, at: clock.now() });
    expect(await check()).toEqual([]); // within the grace period
    clock.advance(3 * MIN);
    expect(await check()).toEqual([expect.stringMatching(/accepted 3 payment prompts .* no result/)]);
    await app.deps.db.execute(
      sql`INSERT INTO callback_inbox (kind, received_at, body, checkout_request_id) VALUES ('stk', ${clock.now()}, '{}'::jsonb, ${ids[0]})`,
    );
    expect(await check()).toEqual([expect.stringMatching(/recovered: M-Pesa results not arriving/)]);
  });

  it('dead jobs: fires when a job gives up, recovers when none died in the window', async () => {
    clock.set('2026-04-08T09:00:00Z');
    await settings({ deadJobs: { enabled: true, minutes: 60 } });
    const now = clock.now();
    await app.deps.db.execute(
      sql`INSERT INTO jobs (kind, payload, status, run_at, attempts, created_at, updated_at, finished_at, last_error)
          VALUES ('gateway.grant', '{}'::jsonb, 'dead', ${now}, 12, ${now}, ${now}, ${now}, 'router unreachable')`,
    );
    expect(await check()).toEqual([expect.stringMatching(/gave up after all retries: 1 gateway.grant/)]);
    clock.advance(30 * MIN);
    expect(await check()).toEqual([]);
    clock.advance(31 * MIN);
    expect(await check()).toEqual([expect.stringMatching(/recovered: Jobs failing/)]);
  });

  it('SMS failing: fires after N failures, recovers when one is sent', async () => {
    clock.set('2026-04-09T09:00:00Z');
    await settings({ smsFailing: { enabled: true, failures: 2, minutes: 30 } });
    const sms = (status: 'failed' | 'sent') =>
      app.deps.db.execute(
        sql`INSERT INTO sms_messages (id, to_phone, body, status, created_at, failed_at, sent_at, last_error)
            VALUES (${randomUUID()}, '254700000002', 'x', ${status}, ${clock.now()},
                    ${status === 'failed' ? clock.now() : null}, ${status === 'sent' ? clock.now() : null},
                    ${status === 'failed' ? 'insufficient balance' : null})`,
      );
    await sms('failed');
    await sms('failed');
    // The alert SMS itself may fail too: the webhook still says it.
    expect(await check()).toEqual([expect.stringMatching(/2 SMS failed .*insufficient balance/)]);
    clock.advance(MIN);
    await sms('sent');
    const out = await check();
    expect(out.filter((s) => /recovered: SMS failing/.test(s))).toHaveLength(1);
  });
});
