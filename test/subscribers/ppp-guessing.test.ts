/**
 * PPP logins count against the guessing limits hotspot codes have (access/guessing.ts), over a
 * real UDP socket to Wavu's RADIUS: a wrong password counts per device (Calling-Station-Id) and
 * globally, on the same counters as wrong hotspot codes; a locked-out caller is refused even with
 * the right password until the window passes (a ManualClock, no sleeping); a right login writes
 * nothing to the counters.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countGuess } from '../../src/access/index.ts';
import { GUESS_LIMITS, GUESS_WINDOW_MS } from '../../src/access/guessing.ts';
import type { Deps } from '../../src/app/deps.ts';
import { query } from '../../src/db/open.ts';
import { ManualClock } from '../../src/lib/clock.ts';
import {
  attr,
  decodePacket,
  encodeRequest,
  getText,
  RadiusCode,
  type RadiusAttribute,
} from '../../src/protocols/radius/index.ts';
import { startRadiusService } from '../../src/radius/service.ts';
import type { RadiusServer } from '../../src/radius/server.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { addSubscriber } from '../helpers/subscribers.ts';
import { addRadiusRouter, exchange, makeDeps } from '../radius/helpers.ts';

const SECRET = 'ppp-guess-secret';
const DAY = 86_400_000;
const clock = new ManualClock('2026-03-10T09:00:00Z');
let t: TestDatabase;
let deps: Deps;
let server: RadiusServer;
let sub: { username: string; password: string; id: number };
let ident = 0;

beforeAll(async () => {
  t = await createTestDatabase();
  deps = makeDeps(t, clock);
  await addRadiusRouter(deps, { name: 'ppp-nas', secret: SECRET, address: '127.0.0.1', requireMa: false });
  server = await startRadiusService(deps, { host: '127.0.0.1', authPort: 0, acctPort: 0 });
  sub = await addSubscriber(deps, { dueAt: new Date(clock.now().getTime() + 10 * DAY) });
});
afterAll(async () => {
  await server?.stop();
  await t.drop();
});

async function login(user: string, password: string, mac: string, ppp = true) {
  const attributes: RadiusAttribute[] = [
    attr('User-Name', user),
    attr('User-Password', password),
    attr('Calling-Station-Id', mac),
  ];
  if (ppp) attributes.push(attr('Service-Type', 2), attr('Framed-Protocol', 1));
  ident = (ident + 1) % 256;
  const raw = await exchange(
    server.authPort!,
    encodeRequest({ code: RadiusCode.AccessRequest, identifier: ident, attributes, secret: SECRET }),
  );
  const p = decodePacket(raw!);
  return { accepted: p.code === RadiusCode.AccessAccept, message: getText(p, 'Reply-Message') ?? '' };
}

/** Every counter row, as (key, count): what a right login must leave untouched. */
const counters = () =>
  query<{ key: string; count: number }>(
    deps.db,
    sql`SELECT key, count::int AS count FROM rate_limits WHERE key LIKE 'guess:%' ORDER BY key`,
  );
const globalCount = async () => {
  const [r] = await query<{ n: number }>(
    deps.db,
    sql`SELECT coalesce(sum(count), 0)::int AS n FROM rate_limits WHERE key LIKE 'guess:radius:all%'
          AND window_start > ${new Date(clock.now().getTime() - GUESS_WINDOW_MS)}`,
  );
  return r!.n;
};

describe('guessing limits on PPP logins', () => {
  it('a right login writes nothing to the counters', async () => {
    const before = await counters();
    for (let i = 0; i < 3; i++)
      expect((await login(sub.username, sub.password, 'A4-00-00-00-01-01')).accepted).toBe(true);
    expect(await counters()).toEqual(before);
  });

  it('locks one device out after its limit, right password or not, until the window passes', async () => {
    const mac = 'A4-00-00-00-02-02';
    const global0 = await globalCount();
    for (let i = 0; i < GUESS_LIMITS.mac; i++) {
      const r = await login(sub.username, `wrong-${i}`, mac);
      expect(r.accepted).toBe(false);
      expect(r.message).not.toMatch(/Too many/);
    }
    // Each wrong password counted globally too.
    expect(await globalCount()).toBe(global0 + GUESS_LIMITS.mac);
    const locked = await login(sub.username, sub.password, mac);
    expect(locked).toMatchObject({ accepted: false, message: expect.stringMatching(/^Too many tries/) });
    // Another device is not locked out.
    expect((await login(sub.username, sub.password, 'A4-00-00-00-02-03')).accepted).toBe(true);
    const [audit] = await query<{ n: number }>(
      deps.db,
      sql`SELECT count(*)::int AS n FROM audit_log WHERE action = 'access.radius.throttled' AND entity_id = ${String(sub.id)}`,
    );
    expect(audit!.n).toBe(1);

    clock.advance(GUESS_WINDOW_MS - 1000);
    expect((await login(sub.username, sub.password, mac)).accepted).toBe(false);
    clock.advance(GUESS_WINDOW_MS + 1000);
    expect((await login(sub.username, sub.password, mac)).accepted).toBe(true);
  });

  it('shares the per-device counter with hotspot codes', async () => {
    const mac = 'A4-00-00-00-03-03';
    // Wrong voucher codes from this device on the hotspot path (no such subscriber, not PPP).
    for (let i = 0; i < GUESS_LIMITS.mac; i++) {
      expect((await login(`NOCODE${i}`, `NOCODE${i}`, mac, false)).accepted).toBe(false);
    }
    expect(await login(sub.username, sub.password, mac)).toMatchObject({
      accepted: false,
      message: expect.stringMatching(/^Too many tries/),
    });
  });

  it('refuses everyone once the global limit is reached', async () => {
    clock.advance(2 * GUESS_WINDOW_MS);
    // Wrong attempts spread over forged devices (what the global limit is for), counted as the
    // hotspot path counts them.
    for (let i = 0; i < GUESS_LIMITS.global; i++)
      await countGuess(deps.db, deps, { path: 'radius', mac: null, ip: null });
    expect(await globalCount()).toBe(GUESS_LIMITS.global);
    expect(await login(sub.username, sub.password, 'A4-00-00-00-04-04')).toMatchObject({
      accepted: false,
      message: expect.stringMatching(/^Too many tries/),
    });
    clock.advance(GUESS_WINDOW_MS + 1000);
    expect((await login(sub.username, sub.password, 'A4-00-00-00-04-04')).accepted).toBe(true);
  });
});
