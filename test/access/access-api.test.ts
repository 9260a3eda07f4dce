import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GUESS_LIMITS, GUESS_WINDOW_MS } from '../../src/access/guessing.ts';
import { issueForPurchase } from '../../src/access/issue-for-purchase.ts';
import { checkRateLimit } from '../../src/access/rate-limit.ts';
import { REBINDS_PER_DAY } from '../../src/access/recover.ts';
import { recordUsage } from '../../src/access/usage.ts';
import { createDeps } from '../../src/app/create-deps.ts';
import type { App } from '../../src/app/run.ts';
import { query } from '../../src/db/open.ts';
import { ManualClock } from '../../src/lib/clock.ts';
import { silentLog, startDrainedApp } from '../helpers/app.ts';
import { onPostgres, type TestDatabase } from '../helpers/db.ts';
import { adminHeaders } from '../admin/helpers.ts';

let t: TestDatabase;
let app: App;
const clock = new ManualClock('2026-03-02T06:00:00Z');
const MIN = 60_000;

beforeAll(async () => {
  ({ t, app } = await startDrainedApp(clock));
});
afterAll(async () => {
  await app.stop();
  await t.drop();
});

const db = () => app.deps.db;
let macSeq = 0;
const newMac = () => {
  macSeq++;
  return `02:00:00:00:${String(Math.floor(macSeq / 256) % 100).padStart(2, '0')}:${(macSeq % 256).toString(16).padStart(2, '0').toUpperCase()}`;
};

async function plan(p: { devices?: number; clock?: 'wall' | 'uptime'; hours?: number; price?: number } = {}) {
  const [row] = await query<{ id: number }>(
    db(),
    sql`INSERT INTO plans (name, price_kes, duration_seconds, devices, clock)
        VALUES (${`t-${randomUUID().slice(0, 8)}`}, ${p.price ?? 50}, ${(p.hours ?? 1) * 3600}, ${p.devices ?? 1}, ${p.clock ?? 'wall'})
        RETURNING id`,
  );
  return Number(row!.id);
}

/** A paid M-Pesa purchase as payments records it: pending row, then paid + code in one transaction. */
async function paid(
  planId: number,
  phone: string,
  o: { receipt?: string; mac?: string; amount?: number } = {},
) {
  const id = randomUUID();
  const amount = o.amount ?? 50;
  return db().transaction(async (tx) => {
    await tx.execute(
      sql`INSERT INTO purchases (id, ref, plan_id, phone, amount_kes, channel, created_at)
          VALUES (${id}, ${id.slice(0, 10)}, ${planId}, ${phone}, ${amount}, 'stk', ${clock.now()})`,
    );
    const r = await issueForPurchase(tx, app.deps, {
      purchaseId: id,
      planId,
      phone,
      mac: o.mac ?? null,
      routerId: null,
      purpose: 'access',
    });
    await tx.execute(
      sql`UPDATE purchases SET status = 'paid', paid_at = ${clock.now()}, paid_amount_kes = ${amount},
             mpesa_receipt = ${o.receipt ?? null}, access_code_id = ${r.accessCodeId} WHERE id = ${id}`,
    );
    return { purchaseId: id, ...r };
  });
}

const redeem = (code: string, mac: string, ip = '10.0.0.1') =>
  app.server!.inject({
    method: 'POST',
    url: '/api/access/redeem',
    payload: { code, mac },
    remoteAddress: ip,
  });

const codeRow = async (id: string) =>
  (
    await query<{ status: string; expires_at: string | null; expired_at: string | null }>(
      db(),
      sql`SELECT status, expires_at, expired_at FROM access_codes WHERE id = ${id}`,
    )
  )[0]!;

const jobsFor = (kind: string, id: string) =>
  query<{ status: string; run_at: string }>(
    db(),
    sql`SELECT status, run_at FROM jobs WHERE kind = ${kind} AND payload->>'accessCodeId' = ${id} ORDER BY id`,
  );

/**
 * Revokes queued for a code: its own (staff revoke, used up) and the per-router batches of expiry.
 * The codes here are on no router, so an expiry queues nothing to take off (a code on routers gets
 * one gateway.revoke-batch per router: test/gateways/expiry-batch.test.ts).
 */
const revokesQueued = async (id: string) => ({
  own: (await jobsFor('gateway.revoke', id)).length,
  batches: Number(
    (
      await query<{ n: number }>(
        db(),
        sql`SELECT count(*)::int AS n FROM jobs WHERE kind = 'gateway.revoke-batch'
            AND payload->'accessCodeIds' @> jsonb_build_array(${id}::text)`,
      )
    )[0]!.n,
  ),
  expiryJobsLeft: (await jobsFor('access.expire', id)).filter((j) => j.status !== 'done').length,
});
const NOTHING_TO_TAKE_OFF = { own: 0, batches: 0, expiryJobsLeft: 0 };

const auditCount = async (action: string) =>
  Number(
    (
      await query<{ n: number }>(db(), sql`SELECT count(*)::int AS n FROM audit_log WHERE action = ${action}`)
    )[0]!.n,
  );

describe('activation, binding and expiry', () => {
  it('a wall-clock code starts at first login and is expired (and revoked) at its deadline', async () => {
    const p = await plan({ hours: 1 });
    const c = await paid(p, '254711000001');
    expect((await codeRow(c.accessCodeId)).status).toBe('issued');
    clock.advance(3 * 3600_000); // bought for later: the clock has not started
    const r = await redeem(c.code, newMac());
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ ok: true, secondsLeft: 3600, clock: 'wall' });
    const expiryJobs = await jobsFor('access.expire', c.accessCodeId);
    expect(expiryJobs).toHaveLength(1);

    clock.advance(59 * MIN);
    await app.worker!.drain();
    expect((await codeRow(c.accessCodeId)).status).toBe('active');
    clock.advance(1 * MIN + 1000);
    await app.worker!.drain();
    const row = await codeRow(c.accessCodeId);
    expect(row.status).toBe('expired');
    expect(await revokesQueued(c.accessCodeId)).toEqual(NOTHING_TO_TAKE_OFF);
    const again = await redeem(c.code, newMac());
    expect(again.statusCode).toBe(403);
    expect(again.json()).toMatchObject({ ok: false, reason: 'expired' });
  });

  it('an extension moves the deadline: the old expiry job does nothing, the new one ends it', async () => {
    const p = await plan({ hours: 1 });
    const mac = newMac();
    const c = await paid(p, '254711000002', { mac });
    expect((await codeRow(c.accessCodeId)).status).toBe('active');
    clock.advance(30 * MIN);
    const again = await paid(p, '254711000002', { mac });
    expect(again).toMatchObject({ accessCodeId: c.accessCodeId, extended: true });
    clock.advance(31 * MIN); // past the first deadline
    await app.worker!.drain();
    expect((await codeRow(c.accessCodeId)).status).toBe('active');
    clock.advance(60 * MIN);
    await app.worker!.drain();
    expect((await codeRow(c.accessCodeId)).status).toBe('expired');
    expect(await revokesQueued(c.accessCodeId)).toEqual(NOTHING_TO_TAKE_OFF);
  });

  it('the sweep catches a code whose expiry job never ran', async () => {
    const p = await plan({ hours: 1 });
    const c = await paid(p, '254711000003', { mac: newMac() });
    await db().execute(
      sql`DELETE FROM jobs WHERE kind = 'access.expire' AND payload->>'accessCodeId' = ${c.accessCodeId}`,
    );
    clock.advance(61 * MIN);
    await app.worker!.drain();
    expect((await codeRow(c.accessCodeId)).status).toBe('expired');
    expect(await revokesQueued(c.accessCodeId)).toEqual(NOTHING_TO_TAKE_OFF);
  });

  it('an uptime code runs only while online and ends when used up', async () => {
    const p = await plan({ hours: 1, clock: 'uptime' });
    const c = await paid(p, '254711000004');
    const mac = newMac();
    expect((await redeem(c.code, mac)).json()).toMatchObject({
      ok: true,
      clock: 'uptime',
      secondsLeft: 3600,
      expiresAt: null,
    });
    clock.advance(24 * 3600_000); // a day offline costs nothing
    await db().transaction((tx) =>
      recordUsage(tx, app.deps, { accessCodeId: c.accessCodeId, seconds: 1800, bytes: 1e6 }),
    );
    expect((await redeem(c.code, mac)).json()).toMatchObject({ ok: true, secondsLeft: 1800 });
    const r = await db().transaction((tx) =>
      recordUsage(tx, app.deps, { accessCodeId: c.accessCodeId, seconds: 1800, bytes: 1e6 }),
    );
    expect(r.usedUp).toBe(true);
    expect((await codeRow(c.accessCodeId)).status).toBe('expired');
    expect(await jobsFor('gateway.revoke', c.accessCodeId)).toHaveLength(1);
    expect((await redeem(c.code, mac)).json()).toMatchObject({ ok: false, reason: 'expired' });
  });

  it('binds devices up to the plan limit, and a bound device may come back', async () => {
    const p = await plan({ devices: 2 });
    const c = await paid(p, '254711000005');
    const [a, b, x] = [newMac(), newMac(), newMac()];
    expect((await redeem(c.code, a)).statusCode).toBe(200);
    expect((await redeem(c.code.toLowerCase().replace(/(.{5})/, '$1-'), b)).statusCode).toBe(200);
    const third = await redeem(c.code, x);
    expect(third.statusCode).toBe(403);
    expect(third.json().reason).toBe('device_limit');
    expect((await redeem(c.code, a)).statusCode).toBe(200);
  });

  it('revoking a code stops it at once and takes it off the routers', async () => {
    const p = await plan();
    const c = await paid(p, '254711000006', { mac: newMac() });
    const r = await app.server!.inject({
      method: 'POST',
      url: `/api/admin/codes/${c.accessCodeId}/revoke`,
      headers: await adminHeaders(app, 'admin'),
      payload: { reason: 'refund' },
    });
    expect(r.json()).toEqual({ accessCodeId: c.accessCodeId, changed: true });
    expect((await codeRow(c.accessCodeId)).status).toBe('revoked');
    expect(await jobsFor('gateway.revoke', c.accessCodeId)).toHaveLength(1);
    expect(await auditCount('access.revoke')).toBe(1);
    expect((await redeem(c.code, newMac())).json().reason).toBe('revoked');
  });
});

describe('code guessing is throttled', () => {
  it('limits one device to GUESS_LIMITS.mac wrong codes per window, with Retry-After, audited', async () => {
    const mac = newMac();
    const failedBefore = await auditCount('access.redeem.failed');
    for (let i = 0; i < GUESS_LIMITS.mac; i++) {
      const r = await redeem(`WRONGCODE${i}`, mac, '10.9.0.1');
      expect(r.statusCode).toBe(403);
    }
    const blocked = await redeem('ANOTHERONE', mac, '10.9.0.1');
    expect(blocked.statusCode).toBe(429);
    expect(blocked.json().error.code).toBe('rate_limited');
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(blocked.headers['retry-after'])).toBeLessThanOrEqual(GUESS_WINDOW_MS / 1000);
    expect((await auditCount('access.redeem.failed')) - failedBefore).toBe(GUESS_LIMITS.mac);
    expect(await auditCount('access.redeem.throttled')).toBeGreaterThanOrEqual(1);
    // Even a right code waits: otherwise the limit would tell a guesser when they hit one.
    const p = await plan();
    const c = await paid(p, '254711000010');
    expect((await redeem(c.code, mac, '10.9.0.1')).statusCode).toBe(429);
    clock.advance(GUESS_WINDOW_MS + 1000);
    expect((await redeem(c.code, mac, '10.9.0.1')).statusCode).toBe(200);
  });

  it('a parallel burst from one device gets exactly the limit evaluated', async () => {
    const mac = newMac();
    const rs = await Promise.all(
      Array.from({ length: 30 }, (_, i) => redeem(`BURSTCODE${i}`, mac, '10.9.0.2')),
    );
    expect(rs.filter((r) => r.statusCode === 403)).toHaveLength(GUESS_LIMITS.mac);
    expect(rs.filter((r) => r.statusCode === 429)).toHaveLength(30 - GUESS_LIMITS.mac);
    clock.advance(GUESS_WINDOW_MS + 1000);
  });

  it('limits one source IP across forged MACs', async () => {
    let blocked = 0;
    for (let i = 0; i < GUESS_LIMITS.ip + 3; i++) {
      const r = await redeem(`IPGUESS${i}X`, newMac(), '10.9.0.3');
      if (r.statusCode === 429) blocked++;
    }
    expect(blocked).toBe(3);
    clock.advance(GUESS_WINDOW_MS + 1000);
  });

  it('right codes give their hit back, so honest users never reach the limit', async () => {
    const p = await plan({ devices: 20 });
    const c = await paid(p, '254711000011');
    const mac = newMac();
    for (let i = 0; i < GUESS_LIMITS.mac * 2; i++)
      expect((await redeem(c.code, mac, '10.9.0.4')).statusCode).toBe(200);
    for (let i = 0; i < GUESS_LIMITS.mac - 1; i++)
      expect((await redeem(`TYPO${i}ABCDE`, mac, '10.9.0.4')).statusCode).toBe(403);
    expect((await redeem(c.code, mac, '10.9.0.4')).statusCode).toBe(200);
    clock.advance(GUESS_WINDOW_MS + 1000);
  });

  it('checkRateLimit counts concurrent hits exactly (two nodes on PostgreSQL)', async () => {
    const other = onPostgres()
      ? createDeps({ config: app.deps.config, database: await t.openAnother(), clock, log: silentLog() })
      : app.deps;
    const hits = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        checkRateLimit((i % 2 ? other : app.deps).db, app.deps, 'test:burst', 20, MIN),
      ),
    );
    expect(hits.filter((h) => h.allowed)).toHaveLength(20);
    expect(new Set(hits.map((h) => h.count)).size).toBe(50);
    clock.advance(MIN + 1);
    expect((await checkRateLimit(db(), app.deps, 'test:burst', 20, MIN)).count).toBe(1);
  });
});

describe('recovery', () => {
  it('by receipt: only an exact paid receipt binds the new device, replacing the oldest when full', async () => {
    const p = await plan({ devices: 1 });
    const oldMac = newMac();
    const c = await paid(p, '254711000020', { receipt: 'SGK3ABCD12', mac: oldMac });
    await db().execute(
      sql`INSERT INTO sessions (id, access_code_id, mac, status, started_at, updated_at)
          VALUES (${randomUUID()}, ${c.accessCodeId}, ${oldMac}, 'active', ${clock.now()}, ${clock.now()})`,
    );
    const recover = (body: object, ip = '10.8.0.1') =>
      app.server!.inject({ method: 'POST', url: '/api/access/recover', payload: body, remoteAddress: ip });

    // Near misses and unpaid purchases reveal nothing.
    const pendingId = randomUUID();
    await db().execute(
      sql`INSERT INTO purchases (id, ref, plan_id, phone, amount_kes, channel, mpesa_receipt)
          VALUES (${pendingId}, ${pendingId.slice(0, 10)}, ${p}, '254711000020', 50, 'stk', 'SGK3PENDNG')`,
    );
    for (const receipt of ['SGK3ABCD13', 'SGK3PENDNG', "' OR 1=1 --"]) {
      const r = await recover({ receipt, mac: newMac() });
      expect(r.statusCode).toBe(404);
      expect(r.body).not.toContain(c.code);
    }
    expect(await auditCount('access.recover.failed')).toBe(3);

    const newDevice = newMac();
    const ok = await recover({ receipt: 'sgk3 abcd12', mac: newDevice });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ ok: true, via: 'receipt', code: c.code, replacedDevice: oldMac });
    const devices = await query<{ mac: string }>(
      db(),
      sql`SELECT mac FROM access_devices WHERE access_code_id = ${c.accessCodeId}`,
    );
    expect(devices.map((d) => d.mac)).toEqual([newDevice]);
    // The replaced device is taken off the router (its sessions and cookie) by a durable job.
    const releases = await query<{ payload: { mac: string } }>(
      db(),
      sql`SELECT payload FROM jobs WHERE kind = 'gateway.release-device'`,
    );
    expect(releases.map((j) => j.payload.mac)).toEqual([oldMac]);

    // Swapping devices back and forth is limited per code.
    for (let i = 1; i < REBINDS_PER_DAY; i++) {
      expect((await recover({ receipt: 'SGK3ABCD12', mac: newMac() })).json().ok).toBe(true);
    }
    const refused = await recover({ receipt: 'SGK3ABCD12', mac: newMac() });
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ ok: false, reason: 'device_limit' });
  });

  it('by phone, amount and day: the code goes by SMS to the paying phone, never to the screen', async () => {
    const p = await plan({ price: 20 });
    const c = await paid(p, '254711000030', { amount: 20 });
    const day = new Date(clock.now().getTime() + 3 * 3600_000).toISOString().slice(0, 10);
    const recover = (body: object) =>
      app.server!.inject({
        method: 'POST',
        url: '/api/access/recover',
        payload: { mac: newMac(), ...body },
        remoteAddress: '10.8.0.2',
      });
    // The text as sent: sealed at rest.
    const sms = async () =>
      (
        await query<{ to_phone: string; body_sealed: string }>(
          db(),
          sql`SELECT to_phone, body_sealed FROM sms_messages WHERE to_phone = '254711000030'`,
        )
      ).map((m) => ({ to_phone: m.to_phone, body: app.deps.sealer.unseal(m.body_sealed) }));

    const miss = await recover({ phone: '0711000030', amountKes: 50, day });
    const hit = await recover({ phone: '0711 000 030', amountKes: 20, day });
    expect(miss.statusCode).toBe(200);
    expect(hit.statusCode).toBe(200);
    expect(miss.json().message).toBe(hit.json().message.replace('KES 20', 'KES 50'));
    expect(hit.body).not.toContain(c.code);
    const sent = await sms();
    expect(sent).toHaveLength(1);
    expect(sent[0]!.body).toContain(c.code);
    expect((await recover({ phone: '0711000030', amountKes: 20, day: '2020-01-01' })).statusCode).toBe(200);
    expect(await sms()).toHaveLength(1);
    // A phone cannot be flooded with SMS.
    const more = await recover({ phone: '0711000030', amountKes: 20, day });
    expect(more.statusCode).toBe(429);
  });
});
