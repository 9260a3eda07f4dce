import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDeps } from '../../src/app/create-deps.ts';
import type { Deps } from '../../src/app/deps.ts';
import { authorizeCode, authorizeMac } from '../../src/access/authorize.ts';
import { normalizeMac } from '../../src/lib/mac.ts';
import { generateAccessCode, hashCode, normalizeCode } from '../../src/access/codes.ts';
import { issueForPurchase } from '../../src/access/issue-for-purchase.ts';
import { recordUsage } from '../../src/access/usage.ts';
import { queueSms } from '../../src/notify/queue-sms.ts';
import { asDate, query } from '../../src/db/open.ts';
import { ManualClock } from '../../src/lib/clock.ts';
import { silentLog, testConfig } from '../helpers/app.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';

let t: TestDatabase;
let deps: Deps;
const clock = new ManualClock('2026-03-01T08:00:00Z');
let apiRouter: number;
let radiusRouter: number;

async function plan(p: { devices?: number; clock?: 'wall' | 'uptime'; cap?: number | null; hours?: number }) {
  const [row] = await query<{ id: number }>(
    deps.db,
    sql`INSERT INTO plans (name, price_kes, duration_seconds, devices, clock, data_cap_bytes)
        VALUES (${`p-${randomUUID().slice(0, 8)}`}, 50, ${(p.hours ?? 1) * 3600}, ${p.devices ?? 1}, ${p.clock ?? 'wall'}, ${p.cap ?? null})
        RETURNING id`,
  );
  return row!.id;
}

async function purchase(planId: number, phone: string) {
  const id = randomUUID();
  await deps.db.execute(
    sql`INSERT INTO purchases (id, ref, plan_id, phone, amount_kes, channel) VALUES (${id}, ${id.slice(0, 8)}, ${planId}, ${phone}, 50, 'cash')`,
  );
  return id;
}

const issue = (i: Parameters<typeof issueForPurchase>[2]) =>
  deps.db.transaction((tx) => issueForPurchase(tx, deps, i));

const jobs = (kind: string) =>
  query<{ payload: any; run_at: unknown; idempotency_key: string }>(
    deps.db,
    sql`SELECT payload, run_at, idempotency_key FROM jobs WHERE kind = ${kind} ORDER BY id`,
  );

beforeAll(async () => {
  t = await createTestDatabase();
  deps = createDeps({ config: testConfig(), database: t.database, clock, log: silentLog() });
  const [a] = await query<{ id: number }>(
    deps.db,
    sql`INSERT INTO routers (name, mode, host) VALUES ('api-1', 'api', '127.0.0.1') RETURNING id`,
  );
  const [r] = await query<{ id: number }>(
    deps.db,
    sql`INSERT INTO routers (name, mode, nas_address, radius_secret_sealed) VALUES ('rad-1', 'radius', '127.0.0.2', 'x') RETURNING id`,
  );
  apiRouter = a!.id;
  radiusRouter = r!.id;
});
afterAll(async () => {
  await t.drop();
});

describe('access codes', () => {
  it('codes are 10 unambiguous characters and normalise what people type', () => {
    const c = generateAccessCode();
    expect(c).toMatch(/^[ACDEFGHJKMNPQRTUVWXY34679]{10}$/);
    expect(normalizeCode(` ${c.slice(0, 5).toLowerCase()}-${c.slice(5)} `)).toBe(c);
    expect(hashCode(deps.sealer, c)).toBe(hashCode(deps.sealer, c.toLowerCase()));
    expect(normalizeMac('aa-bb-cc-dd-ee-0f')).toBe('AA:BB:CC:DD:EE:0F');
    expect(normalizeMac('aabb.ccdd.ee0f')).toBe('AA:BB:CC:DD:EE:0F');
    expect(normalizeMac('not a mac')).toBeNull();
  });

  it('a purchase at the portal activates at once, binds the device and grants on an api router', async () => {
    const p = await plan({});
    const pid = await purchase(p, '254700000001');
    const r = await issue({
      purchaseId: pid,
      planId: p,
      phone: '254700000001',
      mac: 'AA:00:00:00:00:01',
      routerId: apiRouter,
      purpose: 'access',
    });
    expect(r.extended).toBe(false);
    const [row] = await query<any>(
      deps.db,
      sql`SELECT status, expires_at, code_hash FROM access_codes WHERE id = ${r.accessCodeId}`,
    );
    expect(row.status).toBe('active');
    expect(asDate(row.expires_at).getTime()).toBe(clock.now().getTime() + 3600_000);
    expect(row.code_hash).toBe(hashCode(deps.sealer, r.code));
    const grants = (await jobs('gateway.grant')).filter((j) => j.payload.accessCodeId === r.accessCodeId);
    expect(grants.map((g) => g.payload.routerId)).toEqual([apiRouter]);
    const exp = (await jobs('access.expire')).filter((j) => j.payload.accessCodeId === r.accessCodeId);
    expect(exp).toHaveLength(1);
  });

  it('buying the same plan again extends the live code instead of issuing another', async () => {
    const p = await plan({});
    const first = await issue({
      purchaseId: await purchase(p, '254700000002'),
      planId: p,
      phone: '254700000002',
      mac: 'AA:00:00:00:00:02',
      routerId: null,
      purpose: 'access',
    });
    clock.advance(600_000);
    const second = await issue({
      purchaseId: await purchase(p, '254700000002'),
      planId: p,
      phone: '254700000002',
      mac: null,
      routerId: null,
      purpose: 'access',
    });
    expect(second).toMatchObject({ extended: true, accessCodeId: first.accessCodeId, code: first.code });
    const d = await authorizeCode(deps, { code: first.code, mac: 'AA:00:00:00:00:02' });
    expect(d.ok && d.secondsLeft).toBe(2 * 3600 - 600);
  });

  it('a code bought without a device starts its clock at first login and ends on time', async () => {
    const p = await plan({ devices: 1 });
    const r = await issue({
      purchaseId: await purchase(p, '254700000003'),
      planId: p,
      phone: '254700000003',
      mac: null,
      routerId: null,
      purpose: 'access',
    });
    clock.advance(5 * 3600_000); // unused codes do not age
    const d = await authorizeCode(deps, { code: r.code, mac: 'AA:00:00:00:00:03', routerId: radiusRouter });
    expect(d.ok).toBe(true);
    if (d.ok) expect(d.secondsLeft).toBe(3600);
    // RADIUS routers ask us at login: nothing is pushed to them.
    const grants = (await jobs('gateway.grant')).filter((j) => j.payload.accessCodeId === r.accessCodeId);
    expect(grants).toEqual([]);
    expect((await authorizeMac(deps, { mac: 'aa:00:00:00:00:03' })).ok).toBe(true);
    expect(await authorizeCode(deps, { code: r.code, mac: 'AA:00:00:00:00:99' })).toMatchObject({
      ok: false,
      reason: 'device_limit',
    });
    clock.advance(3600_000);
    expect(await authorizeCode(deps, { code: r.code, mac: 'AA:00:00:00:00:03' })).toMatchObject({
      ok: false,
      reason: 'expired',
    });
    const revokes = (await jobs('gateway.revoke')).filter((j) => j.payload.accessCodeId === r.accessCodeId);
    expect(revokes).toHaveLength(1);
  });

  it('never binds more devices than the plan allows, however many race for the last slot', async () => {
    const p = await plan({ devices: 2 });
    const r = await issue({
      purchaseId: await purchase(p, '254700000004'),
      planId: p,
      phone: '254700000004',
      mac: null,
      routerId: null,
      purpose: 'access',
    });
    const macs = Array.from({ length: 8 }, (_, i) => `BB:00:00:00:00:0${i}`);
    const results = await Promise.all(macs.map((mac) => authorizeCode(deps, { code: r.code, mac })));
    expect(results.filter((x) => x.ok)).toHaveLength(2);
    expect(results.filter((x) => !x.ok && x.reason === 'device_limit')).toHaveLength(6);
    const [n] = await query<{ n: number }>(
      deps.db,
      sql`SELECT count(*)::int AS n FROM access_devices WHERE access_code_id = ${r.accessCodeId}`,
    );
    expect(n!.n).toBe(2);
  });

  it('uptime codes count down with usage and are revoked when used up', async () => {
    const p = await plan({ clock: 'uptime', hours: 1 });
    const r = await issue({
      purchaseId: await purchase(p, '254700000005'),
      planId: p,
      phone: '254700000005',
      mac: 'AA:00:00:00:00:05',
      routerId: null,
      purpose: 'access',
    });
    const tx = (s: number) =>
      deps.db.transaction((x) =>
        recordUsage(x, deps, { accessCodeId: r.accessCodeId, seconds: s, bytes: 1000 }),
      );
    expect(await tx(1800)).toMatchObject({ usedUp: false, secondsLeft: 1800 });
    clock.advance(10 * 3600_000); // wall time passing does not matter for uptime plans
    const d = await authorizeCode(deps, { code: r.code, mac: 'AA:00:00:00:00:05' });
    expect(d.ok && d.secondsLeft).toBe(1800);
    expect(await tx(1800)).toMatchObject({ usedUp: true, secondsLeft: 0 });
    expect(await authorizeCode(deps, { code: r.code, mac: 'AA:00:00:00:00:05' })).toMatchObject({
      ok: false,
      reason: 'expired',
    });
    expect((await jobs('gateway.revoke')).some((j) => j.payload.accessCodeId === r.accessCodeId)).toBe(true);
  });

  it('data caps end access when used up', async () => {
    const p = await plan({ cap: 1_000_000 });
    const r = await issue({
      purchaseId: await purchase(p, '254700000006'),
      planId: p,
      phone: '254700000006',
      mac: 'AA:00:00:00:00:06',
      routerId: null,
      purpose: 'access',
    });
    const d = await authorizeCode(deps, { code: r.code, mac: 'AA:00:00:00:00:06' });
    expect(d.ok && d.bytesLeft).toBe(1_000_000);
    await deps.db.transaction((x) =>
      recordUsage(x, deps, { accessCodeId: r.accessCodeId, seconds: 10, bytes: 1_000_000 }),
    );
    expect(await authorizeCode(deps, { code: r.code, mac: 'AA:00:00:00:00:06' })).toMatchObject({
      ok: false,
    });
  });

  it('unknown and malformed codes are refused without a database hit', async () => {
    expect(await authorizeCode(deps, { code: 'ZZ' })).toMatchObject({ ok: false, reason: 'unknown' });
    expect(await authorizeCode(deps, { code: "'; DROP TABLE plans; --" })).toMatchObject({
      ok: false,
      reason: 'unknown',
    });
    expect(await authorizeCode(deps, { code: generateAccessCode() })).toMatchObject({
      ok: false,
      reason: 'unknown',
    });
  });

  it('an SMS and its delivery job commit together or not at all', async () => {
    const id = await deps.db.transaction((tx) =>
      queueSms(tx, deps, { to: '254700000007', body: 'hello ACDEFGHJKM', code: 'ACDEFGHJKM' }),
    );
    expect((await jobs('sms.send')).some((j) => j.payload.smsId === id)).toBe(true);
    await expect(
      deps.db.transaction(async (tx) => {
        await queueSms(tx, deps, { to: '254700000008', body: 'never ACDEFGHJKM', code: 'ACDEFGHJKM' });
        throw new Error('rollback');
      }),
    ).rejects.toThrow('rollback');
    const rows = await query(deps.db, sql`SELECT 1 FROM sms_messages WHERE to_phone = '254700000008'`);
    expect(rows).toEqual([]);
  });
});
