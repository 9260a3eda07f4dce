/**
 * Fair use on a radius-mode router: the Access-Accept of a fair-use plan carries no data quota
 * (the NAS would end the session at it); accounting that crosses the cap slows the code down
 * once, however the interims are duplicated or reordered, and the throttle job sends the NAS a
 * signed CoA-Request with the reduced Mikrotik-Rate-Limit (a real UDP listener stands in for the
 * NAS's CoA port); the next Access-Request gets the reduced rate. Without the option the cap
 * still cuts the code off.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorizeCode } from '../../src/access/authorize.ts';
import type { Deps } from '../../src/app/deps.ts';
import { query } from '../../src/db/open.ts';
import { throttleJob } from '../../src/gateways/jobs.ts';
import { ManualClock } from '../../src/lib/clock.ts';
import { attr, getText, type RadiusAttribute, RadiusCode } from '../../src/protocols/radius/index.ts';
import { acceptAttributes } from '../../src/radius/profiles.ts';
import { recordAccounting } from '../../src/radius/accounting.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { allPages } from '../portal/page-fixtures.ts';
import { addRadiusRouter, addVoucher, FakeNas, makeDeps } from './helpers.ts';

const SECRET = 'fair-use-secret';
const CAP = 1_000_000;
const MAC = 'AA:BB:CC:DD:0F:01';
const clock = new ManualClock('2026-03-01T08:00:00Z');
let t: TestDatabase;
let deps: Deps;
let nas: FakeNas;
let routerId: number;

beforeAll(async () => {
  t = await createTestDatabase();
  deps = makeDeps(t, clock);
  nas = new FakeNas(SECRET);
  await nas.start();
  routerId = await addRadiusRouter(deps, {
    name: 'hs-fair',
    secret: SECRET,
    address: '127.0.0.1',
    coaPort: nas.port,
  });
});
afterAll(async () => {
  nas?.stop();
  await t?.drop();
});

async function capped(fairUseRate: string | null) {
  const v = await addVoucher(deps, { capBytes: CAP, upKbps: 2000, downKbps: 5000, hours: 24 });
  await deps.db.execute(
    sql`UPDATE plans SET fair_use_rate = ${fairUseRate} WHERE id = (SELECT plan_id FROM access_codes WHERE id = ${v.id})`,
  );
  return v;
}

const login = (code: string) => authorizeCode(deps, { code, mac: MAC, routerId, routerIsRadius: true });

const acct = (id: string, code: string, status: number, bytes: number, seconds: number) =>
  recordAccounting(deps, {
    routerId,
    status,
    acctSessionId: `s-${id.slice(0, 8)}`,
    username: code,
    mac: MAC,
    ip: '10.5.50.9',
    classCodeId: id,
    sessionSeconds: seconds,
    inputBytes: Math.floor(bytes / 4),
    outputBytes: bytes - Math.floor(bytes / 4),
    delaySeconds: 0,
    terminateCause: null,
  });

async function state(id: string) {
  const [c] = await query<{ status: string; throttled_at: unknown }>(
    deps.db,
    sql`SELECT status, throttled_at FROM access_codes WHERE id = ${id}`,
  );
  const [a] = await query<{ n: number }>(
    deps.db,
    sql`SELECT count(*)::int AS n FROM audit_log WHERE action = 'access.throttle' AND entity_id = ${id}`,
  );
  const jobs = await query<{ kind: string }>(
    deps.db,
    sql`SELECT kind FROM jobs WHERE payload->>'accessCodeId' = ${id} AND kind IN ('gateway.throttle', 'gateway.revoke')`,
  );
  return {
    status: c!.status,
    throttled: c!.throttled_at !== null,
    audits: Number(a!.n),
    jobs: jobs.map((j) => j.kind).sort(),
  };
}

/** The value of a named attribute in a reply being built, as text; undefined when absent. */
function attrText(attrs: RadiusAttribute[], name: string): string | undefined {
  const ref = attr(name, name === 'Mikrotik-Rate-Limit' ? '' : 0);
  const a = attrs.find((x) => x.type === ref.type && x.vendorType === ref.vendorType);
  return a?.value.toString('latin1');
}
const names = (attrs: RadiusAttribute[]) =>
  ['Mikrotik-Total-Limit', 'Mikrotik-Rate-Limit'].filter((n) => attrText(attrs, n) !== undefined);

describe('fair use on a radius-mode router', () => {
  it('no quota in the Accept; the crossing throttles once and CoA carries the reduced rate', async () => {
    const v = await capped('512k/512k');
    const first = await login(v.code);
    if (!first.ok) throw new Error(first.reason);
    expect(first).toMatchObject({ fairUse: true, throttled: false, bytesLeft: CAP, rateUpKbps: 2000 });
    expect(names(acceptAttributes('mikrotik', first, 60))).not.toContain('Mikrotik-Total-Limit');

    await acct(v.id, v.code, 1, 0, 0);
    await acct(v.id, v.code, 3, 600_000, 60);
    expect((await state(v.id)).throttled).toBe(false);
    // The interim that crosses the cap, sent twice (a NAS retransmit), then an older one late.
    await acct(v.id, v.code, 3, 1_200_000, 120);
    await acct(v.id, v.code, 3, 1_200_000, 120);
    await acct(v.id, v.code, 3, 600_000, 60);
    await acct(v.id, v.code, 3, 1_500_000, 180);
    expect(await state(v.id)).toEqual({
      status: 'active',
      throttled: true,
      audits: 1,
      jobs: ['gateway.throttle'],
    });

    nas.received = [];
    nas.answer = 'ack';
    await throttleJob(deps, { accessCodeId: v.id });
    expect(nas.received).toHaveLength(1);
    const coa = nas.received[0]!;
    expect(coa.valid).toBe(true);
    expect(coa.packet.code).toBe(RadiusCode.CoaRequest);
    expect(getText(coa.packet, 'Mikrotik-Rate-Limit')).toBe('512k/512k');
    expect(getText(coa.packet, 'User-Name')).toBe(v.code);

    // A re-login (reauth) gets the reduced rate and still no quota.
    const again = await login(v.code);
    if (!again.ok) throw new Error(again.reason);
    expect(again).toMatchObject({ throttled: true, bytesLeft: null, rateUpKbps: 512, rateDownKbps: 512 });
    const attrs = acceptAttributes('mikrotik', again, 60);
    expect(names(attrs)).not.toContain('Mikrotik-Total-Limit');
    expect(attrText(attrs, 'Mikrotik-Rate-Limit')).toBe('512k/512k');
  });

  it('concurrent crossing reports throttle once', async () => {
    const v = await capped('256k/1M');
    expect((await login(v.code)).ok).toBe(true);
    await acct(v.id, v.code, 1, 0, 0);
    await Promise.all([1, 2, 3, 4].map(() => acct(v.id, v.code, 3, 2_000_000, 60)));
    expect(await state(v.id)).toMatchObject({
      status: 'active',
      throttled: true,
      audits: 1,
      jobs: ['gateway.throttle'],
    });
  });

  it('without the option the cap still cuts the code off', async () => {
    const v = await capped(null);
    const first = await login(v.code);
    if (!first.ok) throw new Error(first.reason);
    expect(names(acceptAttributes('mikrotik', first, 60))).toContain('Mikrotik-Total-Limit');
    await acct(v.id, v.code, 1, 0, 0);
    await acct(v.id, v.code, 3, 1_200_000, 60);
    expect(await state(v.id)).toEqual({
      status: 'expired',
      throttled: false,
      audits: 0,
      jobs: ['gateway.revoke'],
    });
    expect(await login(v.code)).toMatchObject({ ok: false, reason: 'expired' });
  });

  it('the portal status page says "reduced speed" in English and Kiswahili', () => {
    const page = (lang: 'en' | 'sw') =>
      String(allPages(lang).find(([n]) => n === 'status-reduced-speed')![1]);
    expect(page('en')).toContain('reduced speed');
    expect(page('sw')).toContain('kasi iliyopunguzwa');
    expect(String(allPages('en').find(([n]) => n === 'status-capped')![1])).not.toContain('reduced speed');
  });
});
