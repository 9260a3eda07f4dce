/**
 * Fair use on an api-mode router (the simulated MikroTik over real sockets): a plan with a
 * fair-use rate keeps no data limit on the hotspot user; when the session polls report usage
 * across the cap, the code stays live and its user moves to the plan's fair-use profile at the
 * reduced rate, once. A plan without the option still cuts off. The plan editor's API refuses a
 * malformed rate with a 400 naming the field.
 */
import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { query } from '../../src/db/open.ts';
import { adminHeaders } from '../admin/helpers.ts';
import { type Harness, harness } from './helpers.ts';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

const MAC = 'A4:00:00:00:00:01';
const IP = '10.5.50.9';
const CAP = 1_000_000;

async function addPlan(fairUseRate: string | null): Promise<number> {
  const [p] = await query<{ id: number }>(
    h.app.deps.db,
    sql`INSERT INTO plans (name, price_kes, duration_seconds, data_cap_bytes, rate_up_kbps, rate_down_kbps, fair_use_rate)
        VALUES (${`cap-${fairUseRate ?? 'cut'}`}, 50, 86400, ${CAP}, 2000, 5000, ${fairUseRate}) RETURNING id`,
  );
  return p!.id;
}

async function online(planId: number) {
  const c = await h.issue({ planId, mac: MAC });
  await h.drain();
  expect(h.sim.router.login({ user: c.code, password: c.code, ip: IP, mac: MAC, by: 'http-pap' }).ok).toBe(
    true,
  );
  return c;
}

const later = async (seconds: number) => {
  h.clock.advance(seconds * 1000);
  return h.drain();
};

async function code(id: string) {
  const [r] = await query<{ status: string; throttled_at: unknown }>(
    h.app.deps.db,
    sql`SELECT status, throttled_at FROM access_codes WHERE id = ${id}`,
  );
  const audits = await query<{ n: number }>(
    h.app.deps.db,
    sql`SELECT count(*)::int AS n FROM audit_log WHERE action = 'access.throttle' AND entity_id = ${id}`,
  );
  return { status: r!.status, throttled: r!.throttled_at !== null, audits: Number(audits[0]!.n) };
}

const profile = (name: string) => h.sim.router.list('/ip/hotspot/user/profile').find((p) => p.name === name);

describe('fair use on an api-mode router', () => {
  it('crossing the cap moves the user to the fair-use rate, keeps it online, and does it once', async () => {
    h = await harness({ polls: true });
    const planId = await addPlan('512k/512k');
    const c = await online(planId);
    const [user] = h.ourUsers();
    // No data limit on the router: reaching it there would cut the user off.
    expect(Number(user!['limit-bytes-total'] ?? 0)).toBe(0);
    expect(user!.profile).toBe(`wavu-plan-${planId}`);
    expect(profile(`wavu-plan-${planId}`)!['rate-limit']).toBe('2000k/5000k');

    h.sim.router.addTraffic(MAC, 200_000, 900_000);
    await later(30);
    expect(await code(c.accessCodeId)).toEqual({ status: 'active', throttled: true, audits: 1 });
    const [after] = h.ourUsers();
    expect(after!.profile).toBe(`wavu-plan-${planId}-fair`);
    expect(profile(`wavu-plan-${planId}-fair`)!['rate-limit']).toBe('512k/512k');
    expect(Number(after!['limit-bytes-total'] ?? 0)).toBe(0);
    expect(h.active().map((a) => a['mac-address'])).toEqual([MAC]);

    // More traffic, more polls, a reconcile: still one throttle, still online at the reduced rate.
    h.sim.router.addTraffic(MAC, 100_000, 100_000);
    await later(30);
    await later(60);
    expect(await code(c.accessCodeId)).toEqual({ status: 'active', throttled: true, audits: 1 });
    expect(h.ourUsers()[0]!.profile).toBe(`wavu-plan-${planId}-fair`);
    const jobs = await query<{ n: number }>(
      h.app.deps.db,
      sql`SELECT count(*)::int AS n FROM jobs WHERE kind = 'gateway.throttle'`,
    );
    expect(Number(jobs[0]!.n)).toBe(1);
  });

  it('a capped plan without the option still cuts the user off at the cap', async () => {
    h = await harness({ polls: true });
    const planId = await addPlan(null);
    const c = await online(planId);
    expect(Number(h.ourUsers()[0]!['limit-bytes-total'])).toBeGreaterThan(0);
    await later(30);
    h.sim.router.addTraffic(MAC, 200_000, 900_000);
    await later(30);
    // The router's own data limit ends the session; nothing is slowed down.
    expect(await code(c.accessCodeId)).toMatchObject({ throttled: false, audits: 0 });
    expect(h.active()).toEqual([]);
    expect(h.sim.router.login({ user: c.code, password: c.code, ip: IP, mac: MAC, by: 'http-pap' }).ok).toBe(
      false,
    );
  });

  it('the plans API keeps a valid fair-use rate and refuses a malformed one with a 400 naming the field', async () => {
    h = await harness({ admin: true });
    const headers = await adminHeaders(h.app);
    const post = (fairUseRate: unknown) =>
      h.app.server!.inject({
        method: 'POST',
        url: '/api/admin/plans',
        headers,
        payload: {
          name: `fu-${String(fairUseRate)}`,
          priceKes: 50,
          durationSeconds: 3600,
          dataCapBytes: CAP,
          fairUseRate,
        },
      });
    const ok = await post('256k/1M');
    expect(ok.statusCode).toBe(201);
    expect(ok.json()).toMatchObject({ fairUseRate: '256k/1M', dataCapBytes: CAP });
    for (const bad of ['512k', 'fast', '512/512', '0k/512k', '512k/512k 1M/1M', 7]) {
      const res = await post(bad);
      expect(res.statusCode, String(bad)).toBe(400);
      expect(res.body).toContain('fairUseRate');
    }
  });
});
