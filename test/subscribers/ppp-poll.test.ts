/**
 * Api-mode routers send no accounting, so their PPP sessions are polled from `/ppp active` with
 * the hotspot sessions (one poll, one transaction per router): over the RouterOS simulator's real
 * API socket, and through the agent transport (whose reports carry `/ppp active`, and whose
 * queued commands put the `/ppp secret` and end sessions). Time moves only through the ManualClock.
 */
import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { query } from '../../src/db/open.ts';
import { pollRouterSessions } from '../../src/gateways/sessions/poll-router-sessions.ts';
import { syncRouterSessions } from '../../src/gateways/sessions/sync-router-sessions.ts';
import { SYNC_JOB, syncSubscriber } from '../../src/subscribers/index.ts';
import { addSubscriber, subscriberRow } from '../helpers/subscribers.ts';
import { type AgentHarness, agentHarness } from '../gateways/agent-helpers.ts';
import { type Harness, harness } from '../gateways/helpers.ts';

const DAY = 86_400_000;
/** Each test builds its own app, database and router: slow on a busy machine, not a time assertion. */
const HARNESS_MS = 120_000;
let h: Harness | null = null;
let a: AgentHarness | null = null;
afterEach(async () => {
  await h?.close();
  await a?.close();
  h = null;
  a = null;
});

interface Row {
  session_key: string;
  framed_ip: string | null;
  caller_id: string | null;
  session_seconds: string | number;
  started_at: Date | string;
  stopped_at: Date | string | null;
  stop_cause: string | null;
}

async function sessions(deps: Harness['app']['deps'], subscriberId: number): Promise<Row[]> {
  return query<Row>(
    deps.db,
    sql`SELECT session_key, framed_ip, caller_id, session_seconds, started_at, stopped_at, stop_cause
        FROM ppp_sessions WHERE subscriber_id = ${subscriberId} ORDER BY id`,
  );
}

describe('polled PPP sessions, api mode over the RouterOS API', () => {
  it(
    'opens, updates and closes ppp_sessions from /ppp active; a repeated poll changes nothing twice',
    async () => {
      h = await harness();
      const deps = h.app.deps;
      const s = await addSubscriber(deps, {
        routerId: h.routerId,
        dueAt: new Date(h.clock.now().getTime() + 9 * DAY),
      });
      const r = h.sim.router;
      const id = r.add('/ppp/active', {
        name: s.username,
        address: '10.20.0.9',
        'caller-id': 'A4:00:00:00:00:09',
        uptime: '5m',
      });
      // The operator's own PPP user, not a subscriber of ours: never recorded.
      r.add('/ppp/active', { name: 'office-link', address: '10.20.0.2', uptime: '3d' });

      const first = await pollRouterSessions(deps, h.routerId);
      expect(first.ok).toBe(true);
      let rows = await sessions(deps, s.id);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({
        session_key: id,
        framed_ip: '10.20.0.9',
        caller_id: 'A4:00:00:00:00:09',
        stopped_at: null,
      });
      expect(Number(rows[0]!.session_seconds)).toBe(300);
      expect(new Date(rows[0]!.started_at).getTime()).toBe(h.clock.now().getTime() - 300_000);
      const [other] = await query<{ n: number }>(
        deps.db,
        sql`SELECT count(*)::int AS n FROM ppp_sessions WHERE router_id = ${h.routerId}`,
      );
      expect(other!.n).toBe(1);

      // Two minutes on; polled twice (a second node, a retried job): one row, uptime up to date.
      h.clock.advance(120_000);
      r.set('/ppp/active', { '.id': id, uptime: '7m' });
      await pollRouterSessions(deps, h.routerId);
      await pollRouterSessions(deps, h.routerId);
      rows = await sessions(deps, s.id);
      expect(rows).toHaveLength(1);
      expect(Number(rows[0]!.session_seconds)).toBe(420);
      // /ppp active counts no bytes: nothing is added to the period, however often it is polled.
      expect((await subscriberRow(deps, s.id)).periodBytes).toBe(0);

      // An answer older than one already applied is dropped: it cannot close the live session.
      await syncRouterSessions(deps, h.routerId, [], new Date(h.clock.now().getTime() - 60_000), { ppp: [] });
      expect((await sessions(deps, s.id))[0]!.stopped_at).toBeNull();

      // The router rebooted and numbers its sessions from the start again: the uptime went down.
      h.clock.advance(60_000);
      const lastSeen = h.clock.now().getTime() - 60_000;
      r.set('/ppp/active', { '.id': id, uptime: '10s' });
      await pollRouterSessions(deps, h.routerId);
      rows = await sessions(deps, s.id);
      expect(rows).toHaveLength(2);
      expect(rows[0]).toMatchObject({
        stop_cause: 'Counter-Reset',
        session_key: expect.stringMatching(/^\*.*#\d+$/),
      });
      expect(new Date(rows[0]!.stopped_at!).getTime()).toBe(lastSeen);
      expect(rows[1]).toMatchObject({ session_key: id, stopped_at: null });

      // Hung up: gone from /ppp active, closed at its last report.
      h.clock.advance(60_000);
      const before = h.clock.now().getTime() - 60_000;
      r.remove('/ppp/active', { '.id': id });
      await pollRouterSessions(deps, h.routerId);
      rows = await sessions(deps, s.id);
      expect(rows[1]).toMatchObject({ stop_cause: 'Gone-From-Router' });
      expect(new Date(rows[1]!.stopped_at!).getTime()).toBe(before);
      await pollRouterSessions(deps, h.routerId);
      expect(await sessions(deps, s.id)).toEqual(rows);
    },
    HARNESS_MS,
  );

  it(
    'an unreachable router keeps its PPP sessions open',
    async () => {
      h = await harness();
      const deps = h.app.deps;
      const s = await addSubscriber(deps, {
        routerId: h.routerId,
        dueAt: new Date(h.clock.now().getTime() + 9 * DAY),
      });
      h.sim.router.add('/ppp/active', { name: s.username, address: '10.20.0.9', uptime: '1m' });
      await pollRouterSessions(deps, h.routerId);
      h.sim.setFault('down');
      h.clock.advance(60_000);
      expect((await pollRouterSessions(deps, h.routerId)).ok).toBe(false);
      const rows = await sessions(deps, s.id);
      expect(rows).toHaveLength(1);
      expect(rows[0]!.stopped_at).toBeNull();
    },
    HARNESS_MS,
  );
});

describe('PPP subscribers through the agent transport', () => {
  it(
    'puts the /ppp secret, ends the session on a state change, and records /ppp active from reports',
    async () => {
      a = await agentHarness();
      const deps = a.app.deps;
      const r = a.agent.router;
      r.add('/ppp/profile', { name: 'wavu-expired', 'remote-address': 'wavu-expired' });
      const s = await addSubscriber(deps, {
        routerId: a.routerId,
        staticIp: '10.20.0.9',
        dueAt: new Date(a.clock.now().getTime() + 2 * DAY),
      });
      const secret = () => r.print('/ppp/secret', {}, [`name=${s.username}`]).rows[0];

      await syncSubscriber(deps, s.id);
      await a.poll();
      expect(a.agent.refused).toEqual([]);
      expect(secret()).toMatchObject({
        password: s.password,
        profile: 'wavu-5120k-5120k',
        'remote-address': '10.20.0.9',
        disabled: 'false',
        comment: `wavu-sub:${s.id} ${s.accountNo}`,
      });
      expect(r.print('/ppp/profile', {}, ['name=wavu-5120k-5120k']).rows[0]!['rate-limit']).toBe(
        '5120k/5120k',
      );
      // The password never sits in the queue in the clear.
      const [cmd] = await query<{ payload: unknown }>(
        deps.db,
        sql`SELECT payload::text AS payload FROM agent_commands WHERE kind = 'ppp-secret'`,
      );
      expect(String(cmd!.payload)).not.toContain(s.password);
      // The first sync also ends any session dialled before Wavu knew the subscriber.
      expect((await a.commands()).map((c) => [c.kind, c.status])).toEqual([
        ['ppp-secret', 'done'],
        ['ppp-kick', 'done'],
      ]);

      // The subscriber dials in; the next report carries the session.
      const live = r.add('/ppp/active', {
        name: s.username,
        address: '10.20.0.9',
        'caller-id': 'A4:00:00:00:00:09',
        uptime: '2m',
      });
      await a.poll();
      let rows = await sessions(deps, s.id);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ session_key: live, caller_id: 'A4:00:00:00:00:09', stopped_at: null });
      expect(Number(rows[0]!.session_seconds)).toBe(120);

      // Overdue past grace: the expired profile, and the live session ended so it re-dials into it.
      a.clock.advance(5 * DAY);
      await deps.db.execute(sql`UPDATE subscribers SET state = 'expired' WHERE id = ${s.id}`);
      await syncSubscriber(deps, s.id);
      await a.poll(); // runs both commands
      await a.poll(); // acks them, and reports no session
      expect(secret()).toMatchObject({ profile: 'wavu-expired', 'remote-address': '' });
      expect(r.print('/ppp/active', {}, [`name=${s.username}`]).rows).toHaveLength(0);
      expect((await a.commands()).slice(2).map((c) => [c.kind, c.status])).toEqual([
        ['ppp-secret', 'done'],
        ['ppp-kick', 'done'],
      ]);
      rows = await sessions(deps, s.id);
      expect(rows[0]).toMatchObject({ stop_cause: 'Gone-From-Router' });
    },
    HARNESS_MS,
  );

  it(
    "never overwrites the operator's own /ppp secret of the same name",
    async () => {
      a = await agentHarness();
      const deps = a.app.deps;
      const r = a.agent.router;
      const s = await addSubscriber(deps, {
        routerId: a.routerId,
        dueAt: new Date(a.clock.now().getTime() + 9 * DAY),
      });
      r.add('/ppp/secret', { name: s.username, password: 'theirs', comment: 'office' });
      await syncSubscriber(deps, s.id);
      await a.poll();
      expect(a.agent.refused).toEqual([]);
      expect(r.print('/ppp/secret', {}, [`name=${s.username}`]).rows[0]).toMatchObject({
        password: 'theirs',
        comment: 'office',
      });
      expect((await a.commands()).map((c) => [c.kind, c.status])).toEqual([
        ['ppp-secret', 'failed'],
        ['ppp-kick', 'done'],
      ]);
    },
    HARNESS_MS,
  );

  it(
    'a newer secret (and session end) for a subscriber supersedes those not yet sent',
    async () => {
      a = await agentHarness();
      const deps = a.app.deps;
      const s = await addSubscriber(deps, {
        routerId: a.routerId,
        dueAt: new Date(a.clock.now().getTime() + 9 * DAY),
      });
      await syncSubscriber(deps, s.id);
      await deps.db.execute(sql`UPDATE subscribers SET state = 'suspended' WHERE id = ${s.id}`);
      await deps.db.transaction((tx) => deps.enqueue(tx, SYNC_JOB, { subscriberId: s.id }));
      await syncSubscriber(deps, s.id);
      const kinds = (await a.commands()).map((c) => [c.kind, c.status]);
      // The kick that runs comes after the secret it is for: the re-dial finds the new secret.
      expect(kinds).toEqual([
        ['ppp-secret', 'superseded'],
        ['ppp-kick', 'superseded'],
        ['ppp-secret', 'pending'],
        ['ppp-kick', 'pending'],
      ]);
      await a.poll();
      expect(a.agent.router.print('/ppp/secret', {}, [`name=${s.username}`]).rows[0]!.disabled).toBe('true');
    },
    HARNESS_MS,
  );
});
