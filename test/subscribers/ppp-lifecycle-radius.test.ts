/**
 * A PPP subscriber's life on a radius-mode router, with real peers: radclient sends the NAS's
 * accounting to Wavu's RADIUS, FreeRADIUS plays the router's CoA port. Usage is counted once
 * however often a packet comes; crossing the data cap sends the fair-use rate by CoA; due + grace
 * (a moved clock) expires the subscriber and ends the session by Disconnect-Request; suspension
 * ends it too; a payment while online changes the session by CoA instead of ending it.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Deps } from '../../src/app/deps.ts';
import { query } from '../../src/db/open.ts';
import { Worker } from '../../src/jobs/worker.ts';
import { ManualClock } from '../../src/lib/clock.ts';
import { startRadiusService } from '../../src/radius/service.ts';
import type { RadiusServer } from '../../src/radius/server.ts';
import { enforceDueDates, SYNC_JOB } from '../../src/subscribers/index.ts';
import { pppModule } from '../../src/subscribers/ppp-module.ts';
import { silentLog } from '../helpers/app.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { type FreeradiusCoaPeer, freeradiusMissing, startFreeradiusCoa } from '../helpers/freeradius-coa.ts';
import { addSubscriber, subscriberRow } from '../helpers/subscribers.ts';
import { addRadiusRouter, hasRadclient, makeDeps, radclient } from '../radius/helpers.ts';

const SECRET = 'ppp-coa-secret-0123456789';
const DAY = 86_400_000;
const missing = freeradiusMissing ?? (hasRadclient ? null : 'needs radclient (freeradius-utils)');
const clock = new ManualClock('2026-03-10T09:00:00Z');
let t: TestDatabase;
let deps: Deps;
let server: RadiusServer;
let peer: FreeradiusCoaPeer;
let worker: Worker;

/** Requests FreeRADIUS received for a user, as the kinds it logged. */
function received(user: string): string[] {
  const out: string[] = [];
  // `(n) Received CoA-Request Id …` then its attributes, each line `(n)   Name = value`.
  const re = /\((\d+)\) Received (Disconnect-Request|CoA-Request) Id[^\n]*\n((?:\(\1\) {3}[^\n]*\n)*)/g;
  for (const m of peer.log().matchAll(re))
    if (m[3]!.includes(`User-Name = "${user}"`)) out.push(`${m[2]}\n${m[3]!.replace(/^\(\d+\) {3}/gm, '')}`);
  return out;
}

beforeAll(async () => {
  peer = await startFreeradiusCoa({
    secret: SECRET,
    recvCoa: `    if (&User-Name =~ /^ppp-/ && &Message-Authenticator) {
      ok
    }
    else {
      update reply {
        &Error-Cause := Session-Context-Not-Found
      }
      reject
    }`,
  });
  t = await createTestDatabase();
  deps = makeDeps(t, clock);
  await addRadiusRouter(deps, {
    name: 'ppp-nas',
    secret: SECRET,
    address: '127.0.0.1',
    coaPort: peer.port,
    requireMa: false,
  });
  server = await startRadiusService(deps, { host: '127.0.0.1', authPort: 0, acctPort: 0 });
  worker = new Worker({ database: t.database, clock, log: silentLog(), definitions: pppModule.jobs!(deps) });
}, 60_000);
afterAll(async () => {
  await server?.stop();
  await t?.drop();
  peer?.stop();
});

const acct = (
  user: string,
  session: string,
  status: string,
  inOctets = 0,
  outOctets = 0,
  extra: string[] = [],
) =>
  radclient(server.acctPort!, 'acct', SECRET, [
    `User-Name = "${user}"`,
    `Acct-Session-Id = "${session}"`,
    `Acct-Status-Type = ${status}`,
    `Acct-Input-Octets = ${inOctets}`,
    `Acct-Output-Octets = ${outOctets}`,
    'Framed-Protocol = PPP',
    'Service-Type = Framed-User',
    'Framed-IP-Address = 10.9.0.5',
    ...extra,
  ]);

const liveSessions = async (id: number) =>
  query<{
    session_key: string;
    bytes_in: string;
    bytes_out: string;
    stopped_at: unknown;
    stop_cause: string | null;
  }>(
    deps.db,
    sql`SELECT session_key, bytes_in, bytes_out, stopped_at, stop_cause FROM ppp_sessions WHERE subscriber_id = ${id} ORDER BY id`,
  );

const queued = async (kind: string, id: number) => {
  const rows = await query<{ n: string | number }>(
    deps.db,
    sql`SELECT count(*) AS n FROM jobs WHERE kind = ${kind} AND payload->>'subscriberId' = ${String(id)}`,
  );
  return Number(rows[0]!.n);
};

describe.skipIf(missing !== null)(
  `PPP subscriber on a radius router (${missing ?? 'FreeRADIUS + radclient'})`,
  () => {
    it('counts Start, Interim and Stop once each, into ppp_sessions and the period usage', async () => {
      const s = await addSubscriber(deps, { dueAt: new Date(clock.now().getTime() + 20 * DAY) });
      expect((await acct(s.username, 'A1', 'Start')).reply).toBe('Accounting-Response');
      expect((await acct(s.username, 'A1', 'Interim-Update', 1000, 5000)).reply).toBe('Accounting-Response');
      await acct(s.username, 'A1', 'Interim-Update', 1000, 5000); // resent: nothing new
      await acct(s.username, 'A1', 'Stop', 1500, 8000, ['Acct-Terminate-Cause = User-Request']);
      const rows = await liveSessions(s.id);
      expect(rows).toHaveLength(1);
      expect(Number(rows[0]!.bytes_in)).toBe(1500);
      expect(Number(rows[0]!.bytes_out)).toBe(8000);
      expect(rows[0]!.stopped_at).not.toBeNull();
      expect(rows[0]!.stop_cause).toBe('User-Request');
      expect((await subscriberRow(deps, s.id)).periodBytes).toBe(9500);
    });

    it('closes the live PPP sessions of a router that says it restarted (Accounting-On)', async () => {
      const s = await addSubscriber(deps, { dueAt: new Date(clock.now().getTime() + 20 * DAY) });
      await acct(s.username, 'R1', 'Start');
      expect((await liveSessions(s.id))[0]!.stopped_at).toBeNull();
      const on = await radclient(server.acctPort!, 'acct', SECRET, ['Acct-Status-Type = Accounting-On']);
      expect(on.reply).toBe('Accounting-Response');
      const [row] = await liveSessions(s.id);
      expect(row!.stopped_at).not.toBeNull();
      expect(row!.stop_cause).toBe('NAS-Reboot');
    });

    it('crossing the data cap throttles once and sends the fair-use rate by CoA', async () => {
      const s = await addSubscriber(deps, {
        plan: 'Business 20 Mbps',
        dueAt: new Date(clock.now().getTime() + 20 * DAY),
        periodBytes: 500_000_000_000 - 1000,
      });
      await deps.db.execute(
        sql`UPDATE subscribers SET synced_state = 'active', synced_rate = '20480k/20480k' WHERE id = ${s.id}`,
      );
      await acct(s.username, 'F1', 'Start');
      await acct(s.username, 'F1', 'Interim-Update', 400, 400);
      expect((await subscriberRow(deps, s.id)).throttled).toBe(false);
      await acct(s.username, 'F1', 'Interim-Update', 800, 800);
      await acct(s.username, 'F1', 'Interim-Update', 900, 900);
      expect((await subscriberRow(deps, s.id)).throttled).toBe(true);
      expect(await queued('subscriber.fair-use', s.id)).toBe(1);
      await worker.drain();
      const got = received(s.username);
      expect(got).toHaveLength(1);
      expect(got[0]).toMatch(/^CoA-Request/);
      expect(got[0]).toContain('Mikrotik-Rate-Limit = "5120k/5120k"');
      expect(got[0]).toContain('Acct-Session-Id = "F1"');
    });

    it('expires an active subscriber at due + grace (moved clock) and ends the session by Disconnect-Request', async () => {
      const s = await addSubscriber(deps, { dueAt: new Date(clock.now().getTime() + 1 * DAY) });
      await deps.db.execute(
        sql`UPDATE subscribers SET synced_state = 'active', synced_rate = '5120k/5120k' WHERE id = ${s.id}`,
      );
      await acct(s.username, 'E1', 'Start');
      // Due tomorrow, 3 days of grace: not yet after 3 days, expired after 4.
      clock.advance(3 * DAY);
      await enforceDueDates(deps);
      expect((await subscriberRow(deps, s.id)).state).toBe('active');
      clock.advance(1 * DAY);
      expect(await enforceDueDates(deps)).toBeGreaterThanOrEqual(1);
      expect((await subscriberRow(deps, s.id)).state).toBe('expired');
      expect(await queued(SYNC_JOB.kind, s.id)).toBe(1);
      expect(await enforceDueDates(deps)).toBe(0);
      await worker.drain();
      const got = received(s.username);
      expect(got).toHaveLength(1);
      expect(got[0]).toMatch(/^Disconnect-Request/);
      expect(got[0]).toContain('Acct-Session-Id = "E1"');
      expect(got[0]).toContain('Framed-IP-Address = 10.9.0.5');
      const [row] = await query<{ synced_state: string }>(
        deps.db,
        sql`SELECT synced_state FROM subscribers WHERE id = ${s.id}`,
      );
      expect(row!.synced_state).toBe('expired');
    });

    it('suspension ends the session; a payment while online changes it by CoA instead', async () => {
      const s = await addSubscriber(deps, { dueAt: new Date(clock.now().getTime() + 5 * DAY) });
      await deps.db.execute(
        sql`UPDATE subscribers SET synced_state = 'active', synced_rate = '5120k/5120k' WHERE id = ${s.id}`,
      );
      await acct(s.username, 'P1', 'Start');
      // A payment (what the ledger use case does): same state, due date a month on, a sync queued.
      await deps.db.transaction(async (tx) => {
        await tx.execute(sql`UPDATE subscribers SET due_at = due_at + interval '30 days' WHERE id = ${s.id}`);
        await deps.enqueue(tx, SYNC_JOB, { subscriberId: s.id });
      });
      await worker.drain();
      let got = received(s.username);
      expect(got).toHaveLength(1);
      expect(got[0]).toMatch(/^CoA-Request/);
      // Uptime 0 + 35 days to due + 3 days of grace.
      expect(got[0]).toContain(`Session-Timeout = ${38 * 86_400}`);
      // Staff suspend (F's use case): the session must end.
      await deps.db.transaction(async (tx) => {
        await tx.execute(sql`UPDATE subscribers SET state = 'suspended' WHERE id = ${s.id}`);
        await deps.enqueue(tx, SYNC_JOB, { subscriberId: s.id });
      });
      await worker.drain();
      got = received(s.username);
      expect(got).toHaveLength(2);
      expect(got[1]).toMatch(/^Disconnect-Request/);
    });
  },
);
