/**
 * PPPoE against real pppd: Debian's pppoe-server with pppd's radius plugin as the NAS, a pppd
 * client dialling in as a subscriber, inside a User-Mode-Linux guest (test/helpers/pppoe-uml.ts),
 * and Wavu's RADIUS service in this process answering it, on PGlite or PostgreSQL. Shows: the
 * plan's rate and Session-Timeout reach pppd; PAP, CHAP and MS-CHAPv2 logins; accounting lands in
 * ppp_sessions with bytes; an overdue subscriber is accepted into the expired pool; a payment puts
 * them back on the plan. Skipped, with the reason, only when UML or the packages are missing.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Deps } from '../../src/app/deps.ts';
import { query } from '../../src/db/open.ts';
import { ManualClock } from '../../src/lib/clock.ts';
import { startRadiusService } from '../../src/radius/service.ts';
import { enforceDueDates } from '../../src/subscribers/index.ts';
import type { RadiusServer } from '../../src/radius/server.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { createPppoeUml, type PppoeUml, pppoeUmlUnavailable } from '../helpers/pppoe-uml.ts';
import { confirmPaybill } from '../helpers/stk.ts';
import { addRadiusRouter, makeDeps } from './helpers.ts';

const why = pppoeUmlUnavailable();
if (why) console.warn(`PPPoE against real pppd SKIPPED: ${why}`);

const SECRET = 'pppoe-lab-secret';
const DAY = 86_400_000;
const clock = new ManualClock('2026-03-02T08:00:00Z');
let t: TestDatabase;
let deps: Deps;
let server: RadiusServer;
let lab: PppoeUml;
let routerId: number;
let subscriberId: number;
let plan: { id: number; rate_up_kbps: number; rate_down_kbps: number; grace_days: number; price_kes: number };

const USER = 'wanjiku.home';
const PASSWORD = 'Kibanda-2026';

async function sessions() {
  const rows = await query<{
    session_key: string;
    bytes_in: string;
    bytes_out: string;
    stopped_at: unknown;
    stop_cause: string | null;
    framed_ip: string | null;
  }>(
    deps.db,
    sql`SELECT session_key, bytes_in, bytes_out, stopped_at, stop_cause, framed_ip
          FROM ppp_sessions WHERE subscriber_id = ${subscriberId} ORDER BY id`,
  );
  return rows.map((r) => ({ ...r, bytes_in: Number(r.bytes_in), bytes_out: Number(r.bytes_out) }));
}

const secondsTo = (at: Date) => Math.floor((at.getTime() - clock.now().getTime()) / 1000);

describe.skipIf(why !== null)(
  why ? `SKIPPED: PPPoE against real pppd: ${why}` : 'PPPoE against real pppd',
  () => {
    let due: Date;

    beforeAll(async () => {
      t = await createTestDatabase();
      deps = makeDeps(t, clock);
      lab = createPppoeUml();
      // pppd's radius plugin sends no Message-Authenticator: this router is let off it, by its
      // address only (the per-router policy; the default stays on).
      routerId = await addRadiusRouter(deps, {
        name: 'pppoe-uml',
        secret: SECRET,
        address: lab.nasAddress,
        requireMa: false,
      });
      const plans = await query<typeof plan>(
        deps.db,
        sql`SELECT id, rate_up_kbps, rate_down_kbps, grace_days, price_kes FROM service_plans
            WHERE name = 'Home 5 Mbps'`,
      );
      plan = plans[0]!;
      due = new Date(clock.now().getTime() + 10 * DAY);
      const added = await query<{ id: number }>(
        deps.db,
        sql`INSERT INTO subscribers (account_no, name, phone, username, password_sealed, service_plan_id,
                                   router_id, state, due_at)
          VALUES ('W1001', 'Wanjiku', '254712345678', ${USER}, ${deps.sealer.seal(PASSWORD)}, ${plan!.id},
                  ${routerId}, 'active', ${due.toISOString()})
          RETURNING id`,
      );
      subscriberId = added[0]!.id;
      server = await startRadiusService(deps, { host: lab.hostAddress, authPort: 0, acctPort: 0 });
      await lab.boot({ authPort: server.authPort!, acctPort: server.acctPort!, secret: SECRET });
    }, 300_000);

    afterAll(async () => {
      await lab?.close();
      await server?.stop();
      await t?.drop();
    }, 120_000);

    it('accepts a paid-up subscriber (PAP) at the plan rate with Session-Timeout to due + grace, and records the session with its bytes', async () => {
      const s = await lab.dial({ auth: 'pap', user: USER, password: PASSWORD });
      expect(s.ok, lab.logs()).toBe(true);
      expect(s.attributes['Mikrotik-Rate-Limit']).toEqual([`${plan.rate_up_kbps}k/${plan.rate_down_kbps}k`]);
      const end = new Date(due.getTime() + plan.grace_days * DAY);
      expect(s.attributes['Session-Timeout']).toEqual([String(secondsTo(end))]);
      expect(s.attributes['Acct-Interim-Interval']).toEqual(['300']);
      expect(s.attributes['Framed-Pool']).toBeUndefined();

      await lab.traffic();
      // Resolves once the NAS's pppd has exited, after its Accounting-Stop was answered, and we
      // answer only once the packet is stored.
      await lab.hangup();
      const rows = await sessions();
      expect(rows).toHaveLength(1);
      expect(rows[0]!.stopped_at).not.toBeNull();
      expect(rows[0]!.stop_cause).toBe('User-Request');
      expect(rows[0]!.framed_ip).toBe(s.local);
      // Five 1200-byte pings each way.
      expect(rows[0]!.bytes_in).toBeGreaterThan(4 * 1200);
      expect(rows[0]!.bytes_out).toBeGreaterThan(4 * 1200);
    }, 600_000);

    it('accepts CHAP and MS-CHAPv2 the way pppd sends them, and refuses a wrong password', async () => {
      for (const auth of ['chap', 'mschap-v2'] as const) {
        const s = await lab.dial({ auth, user: USER, password: PASSWORD });
        expect(s.ok, `${auth}\n${lab.logs()}`).toBe(true);
        expect(s.attributes['Mikrotik-Rate-Limit']).toEqual([
          `${plan.rate_up_kbps}k/${plan.rate_down_kbps}k`,
        ]);
        await lab.hangup();
      }
      const wrong = await lab.dial({ auth: 'chap', user: USER, password: 'not-the-password' });
      expect(wrong.ok).toBe(false);
      expect(await sessions()).toHaveLength(3);
    }, 900_000);

    it('puts an overdue subscriber in the expired pool, and back on the plan once they pay', async () => {
      // A day past due + grace, the enforcement job moves them to expired.
      clock.set(new Date(due.getTime() + (plan.grace_days + 1) * DAY));
      expect(await enforceDueDates(deps)).toBe(1);
      await deps.db.execute(
        sql`INSERT INTO settings (key, value) VALUES ('ppp_expired_pool', ${JSON.stringify('unpaid-pool')}::jsonb)
          ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`,
      );
      const expired = await lab.dial({ auth: 'pap', user: USER, password: PASSWORD });
      expect(expired.ok, lab.logs()).toBe(true);
      expect(expired.attributes['Framed-Pool']).toEqual(['unpaid-pool']);
      expect(expired.attributes['Mikrotik-Rate-Limit']).toBeUndefined();
      expect(Number(expired.attributes['Session-Timeout']?.[0])).toBeLessThanOrEqual(600);
      await lab.hangup();

      // A month paid by Paybill to the account number: the real crediting path (claim, ledger,
      // due date on by one period from the payment, back to active).
      expect(await confirmPaybill(deps, 'W1001', plan.price_kes)).toBe('credited');
      const [after] = await query<{ due_at: Date | string; state: string }>(
        deps.db,
        sql`SELECT due_at, state FROM subscribers WHERE id = ${subscriberId}`,
      );
      expect(after!.state).toBe('active');
      const newDue = new Date(after!.due_at);
      const paid = await lab.dial({ auth: 'pap', user: USER, password: PASSWORD });
      expect(paid.ok, lab.logs()).toBe(true);
      expect(paid.attributes['Framed-Pool']).toBeUndefined();
      expect(paid.attributes['Mikrotik-Rate-Limit']).toEqual([
        `${plan.rate_up_kbps}k/${plan.rate_down_kbps}k`,
      ]);
      expect(paid.attributes['Session-Timeout']).toEqual([
        String(secondsTo(new Date(newDue.getTime() + plan.grace_days * DAY))),
      ]);
      await lab.hangup();
    }, 900_000);
  },
);
