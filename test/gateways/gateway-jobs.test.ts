import { randomUUID } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { query } from '../../src/db/open.ts';
import { healthCheckAll, reconcileRouter } from '../../src/gateways/jobs.ts';
import { rateLimit } from '../../src/gateways/mikrotik/hotspot-users.ts';
import {
  decodePacket,
  encodeResponse,
  getText,
  RadiusCode,
  verifyRequest,
} from '../../src/protocols/radius/index.ts';
import { parseDuration } from '../../src/protocols/routeros/values.ts';
import { type Harness, harness } from './helpers.ts';
import { SYSTEM } from '../../src/audit/index.ts';
import { DISCONNECT_JOB, GRANT_JOB, REVOKE_JOB } from '../../src/gateways/job-kinds.ts';
import { EXPIRE_JOB } from '../../src/access/job-kinds.ts';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

const MAC = 'A4:00:00:00:00:01';

describe('gateway.grant', () => {
  it('puts the code on the router as a hotspot user with the plan profile, limits, MAC and our tag', async () => {
    h = await harness();
    await h.app.deps.db.execute(sql`UPDATE plans SET data_cap_bytes = 2000000000 WHERE id = 1`);
    const { accessCodeId, code } = await h.issue();
    expect(await h.drain()).toBeGreaterThan(0);
    const [u] = h.ourUsers();
    expect(u).toMatchObject({
      name: code,
      password: code,
      profile: 'wavu-plan-1',
      'mac-address': MAC,
      comment: `wavu:${accessCodeId}`,
      'limit-bytes-total': '2000000000',
      disabled: 'false',
    });
    expect(parseDuration(u!['limit-uptime']!)).toBe(3600);
    const profile = h.sim.router.list('/ip/hotspot/user/profile').find((p) => p.name === 'wavu-plan-1')!;
    // Seed plan: 2048 kbit/s up, 5120 down. rx (client upload) comes first.
    expect(profile['rate-limit']).toBe('2048k/5120k');
    expect(profile['shared-users']).toBe('1');
    expect(await h.grantStatus(accessCodeId)).toBe('granted');
    const [r] = await query<{ status: string }>(
      h.app.deps.db,
      sql`SELECT status FROM routers WHERE id = ${h.routerId}`,
    );
    expect(r!.status).toBe('up');
    // The customer can log in on the router with the code (CHAP/PAP use the same password).
    expect(
      h.sim.router.login({ user: code, password: code, ip: '10.5.50.9', mac: MAC, by: 'http-pap' }).ok,
    ).toBe(true);
    expect(
      h.sim.router.login({
        user: code,
        password: code,
        ip: '10.5.50.10',
        mac: 'A4:00:00:00:00:99',
        by: 'http-pap',
      }),
    ).toMatchObject({
      ok: false,
      key: 'invalid-mac',
    });
  });

  it('is idempotent under duplicate and concurrent grants', async () => {
    h = await harness();
    const { accessCodeId } = await h.issue();
    for (let i = 0; i < 5; i++) {
      await h.app.deps.enqueue(
        h.app.deps.db,
        GRANT_JOB,
        { accessCodeId, routerId: h.routerId },
        { key: `dup-${i}` },
      );
    }
    await h.drain();
    expect(h.ourUsers()).toHaveLength(1);
    expect((await h.jobs('gateway.grant')).every((j) => j.status === 'done')).toBe(true);
  });

  it('router down during grants: retried, and applied as soon as it is back', async () => {
    h = await harness();
    h.sim.setFault('down');
    const issued = [];
    for (let i = 0; i < 5; i++) issued.push(await h.issue({ mac: `A4:00:00:00:01:0${i}` }));
    await h.drain();
    expect(h.ourUsers()).toHaveLength(0);
    for (const c of issued) expect(await h.grantStatus(c.accessCodeId)).toBe('pending');
    const jobs = await h.jobs('gateway.grant');
    expect(jobs.every((j) => j.status === 'queued' && j.last_error?.includes('unreachable'))).toBe(true);
    const [r] = await query<{ status: string }>(
      h.app.deps.db,
      sql`SELECT status FROM routers WHERE id = ${h.routerId}`,
    );
    expect(r!.status).toBe('down');

    // Back up. The health check sees it and reconciles at once, before any grant retry is due.
    h.sim.setFault('none');
    await healthCheckAll(h.app.deps);
    await h.drain();
    expect(
      h
        .ourUsers()
        .map((u) => u.name)
        .sort(),
    ).toEqual(issued.map((c) => c.code).sort());
    for (const c of issued) expect(await h.grantStatus(c.accessCodeId)).toBe('granted');
    // The retries still run later and change nothing.
    h.clock.advance(60_000);
    await h.drain();
    expect(h.ourUsers()).toHaveLength(5);
    expect((await h.jobs('gateway.grant')).every((j) => j.status === 'done')).toBe(true);
  });

  it('retries alone bring a long outage to the router too', async () => {
    h = await harness();
    h.sim.setFault('down');
    const c = await h.issue();
    await h.drain();
    for (let i = 0; i < 4; i++) {
      h.clock.advance(40_000); // longer than the longest retry delay (30 s + jitter)
      await h.drain();
    }
    expect((await h.jobs('gateway.grant'))[0]!.attempts).toBe(5);
    h.sim.setFault('none');
    h.clock.advance(40_000);
    await h.drain();
    expect(h.ourUsers().map((u) => u.name)).toEqual([c.code]);
  });
});

describe('revoke and expiry', () => {
  it('expiry revokes at the deadline: user, live session and login cookie gone in the same run', async () => {
    h = await harness();
    const { accessCodeId, code } = await h.issue(); // 1 hour, wall clock, active now
    await h.drain();
    expect(
      h.sim.router.login({ user: code, password: code, ip: '10.5.50.9', mac: MAC, by: 'http-chap' }).ok,
    ).toBe(true);
    expect(h.sim.router.list('/ip/hotspot/cookie')).toHaveLength(1);
    h.clock.advance(3599_000);
    await h.drain();
    expect(h.active()).toHaveLength(1); // not yet
    h.clock.advance(1_000); // the deadline
    await h.drain();
    expect(h.ourUsers()).toEqual([]);
    expect(h.active()).toEqual([]);
    expect(h.sim.router.list('/ip/hotspot/cookie')).toEqual([]);
    const [revoke] = await h.jobs('gateway.revoke-batch');
    expect(revoke!.status).toBe('done');
    // Applied at the deadline itself, not at some later sweep.
    expect(revoke!.finished_at!.getTime()).toBe(new Date('2026-03-02T09:00:00Z').getTime());
    expect(await h.grantStatus(accessCodeId)).toBe('revoked');
  });

  it('expiry while the router is down: revoked the moment it answers again', async () => {
    h = await harness();
    const { code } = await h.issue();
    await h.drain();
    h.sim.router.login({ user: code, password: code, ip: '10.5.50.9', mac: MAC, by: 'http-pap' });
    h.sim.setFault('down');
    h.clock.advance(3600_000);
    await h.drain();
    h.sim.setFault('none');
    expect(h.ourUsers()).toHaveLength(1); // the router still has it
    h.clock.advance(10_000); // revoke retries within seconds
    await h.drain();
    expect(h.ourUsers()).toEqual([]);
    expect(h.active()).toEqual([]);
  });

  it('a grant racing a revoke never leaves an expired code on the router', async () => {
    h = await harness();
    const { accessCodeId } = await h.issue();
    await h.drain();
    // Expire and re-grant at once (e.g. an old grant retry arriving late).
    await h.app.deps.db.execute(
      sql`UPDATE access_codes SET expires_at = ${h.clock.now()} WHERE id = ${accessCodeId}`,
    );
    await h.app.deps.enqueue(
      h.app.deps.db,
      GRANT_JOB,
      { accessCodeId, routerId: h.routerId },
      { key: 'late' },
    );
    await h.app.deps.enqueue(h.app.deps.db, EXPIRE_JOB, { accessCodeId }, { key: 'now' });
    await h.drain();
    expect(h.ourUsers()).toEqual([]);
  });

  it('gateway.disconnect kicks one session', async () => {
    h = await harness();
    const a = await h.issue({ mac: 'A4:00:00:00:00:0A' });
    const b = await h.issue({ mac: 'A4:00:00:00:00:0B' });
    await h.drain();
    h.sim.router.login({
      user: a.code,
      password: a.code,
      ip: '10.5.50.10',
      mac: 'A4:00:00:00:00:0A',
      by: 'http-pap',
    });
    h.sim.router.login({
      user: b.code,
      password: b.code,
      ip: '10.5.50.11',
      mac: 'A4:00:00:00:00:0B',
      by: 'http-pap',
    });
    const sessionId = randomUUID();
    await h.app.deps.db.execute(
      sql`INSERT INTO sessions (id, access_code_id, router_id, mac, ip, started_at, updated_at)
          VALUES (${sessionId}, ${a.accessCodeId}, ${h.routerId}, 'A4:00:00:00:00:0A', '10.5.50.10', ${h.clock.now()}, ${h.clock.now()})`,
    );
    await h.app.deps.enqueue(h.app.deps.db, DISCONNECT_JOB, { sessionId });
    await h.drain();
    expect(h.active().map((s) => s.user)).toEqual([b.code]);
    expect(h.ourUsers()).toHaveLength(2); // the access itself stays
  });
  it('revoke reaches every router the code is on, radius-mode ones by Disconnect-Request', async () => {
    h = await harness();
    const { accessCodeId } = await h.issue();
    await h.drain();
    // A radius-mode NAS: a UDP listener on its CoA port that acknowledges Disconnect-Requests.
    const coa = createSocket('udp4');
    await new Promise<void>((r) => coa.bind(0, '127.0.0.1', () => r()));
    const disconnects: string[] = [];
    coa.on('message', (msg, rinfo) => {
      const req = decodePacket(msg);
      if (verifyRequest(req, 'nas1-secret-0123456789').ok)
        disconnects.push(getText(req, 'Acct-Session-Id') ?? '');
      coa.send(
        encodeResponse({
          code: RadiusCode.DisconnectAck,
          request: req,
          attributes: [],
          secret: 'nas1-secret-0123456789',
        }),
        rinfo.port,
        rinfo.address,
      );
    });
    try {
      const { addRouter } = await import('../../src/gateways/index.ts');
      const { router: nas } = await addRouter(
        h.app.deps,
        {
          mode: 'radius',
          name: 'nas1',
          address: '127.0.0.1',
          secret: 'nas1-secret-0123456789',
          coaPort: coa.address().port,
        },
        { actor: SYSTEM },
      );
      await h.app.deps.db.execute(
        sql`INSERT INTO sessions (id, access_code_id, router_id, acct_session_id, mac, started_at, updated_at)
            VALUES (${randomUUID()}, ${accessCodeId}, ${nas.id}, 'nas1-s1', ${MAC}, ${h.clock.now()}, ${h.clock.now()})`,
      );
      await h.app.deps.enqueue(h.app.deps.db, REVOKE_JOB, { accessCodeId });
      await h.drain();
      expect(h.ourUsers()).toEqual([]);
      expect(disconnects).toEqual(['nas1-s1']);
      expect((await h.jobs('gateway.revoke')).map((j) => j.status)).toEqual(['done']);
    } finally {
      coa.close();
    }
  });
});

describe('reconcile', () => {
  it('reboot and reset converge: live accesses restored, dead and unknown ones removed, sessions kicked', async () => {
    h = await harness();
    const live = [
      await h.issue({ mac: 'A4:00:00:00:02:01' }),
      await h.issue({ mac: 'A4:00:00:00:02:02' }),
      await h.issue({ mac: 'A4:00:00:00:02:03' }),
    ];
    await h.drain();
    h.clock.advance(600_000);
    await healthCheckAll(h.app.deps); // remembers the router's uptime
    for (const [i, c] of live.entries())
      h.sim.router.login({
        user: c.code,
        password: c.code,
        ip: `10.5.50.${20 + i}`,
        mac: `A4:00:00:00:02:0${i + 1}`,
        by: 'http-pap',
      });
    expect(h.active()).toHaveLength(3);

    // Reboot: sessions gone, users kept. Then a reset: users and profiles gone too.
    h.sim.setFault('reboot');
    expect(h.active()).toHaveLength(0);
    expect(h.ourUsers()).toHaveLength(3);
    h.sim.setFault('reset');
    expect(h.ourUsers()).toHaveLength(0);
    // Meanwhile one code was revoked by an admin while nobody could reach the router.
    const revoked = live[2]!;
    await h.app.deps.db.execute(
      sql`UPDATE access_codes SET status = 'revoked', revoked_at = ${h.clock.now()} WHERE id = ${revoked.accessCodeId}`,
    );
    await h.app.deps.db.execute(
      sql`UPDATE access_grants SET status = 'revoking' WHERE access_code_id = ${revoked.accessCodeId}`,
    );
    // Junk on the router: a user tagged with a code we do not know, logged in; and the operator's own user.
    h.sim.router.add('/ip/hotspot/user', { name: 'GHOST', password: 'x', comment: `wavu:${randomUUID()}` });
    h.sim.router.login({
      user: 'GHOST',
      password: 'x',
      ip: '10.5.50.40',
      mac: 'A4:00:00:00:02:40',
      by: 'http-pap',
    });
    h.sim.router.add('/ip/hotspot/user', { name: 'staff', password: 'staff-pass' });

    h.clock.advance(15_000);
    await healthCheckAll(h.app.deps); // uptime went backwards: reconcile now
    await h.drain();
    expect(
      h
        .ourUsers()
        .map((u) => u.name)
        .sort(),
    ).toEqual([live[0]!.code, live[1]!.code].sort());
    expect(h.sim.router.list('/ip/hotspot/user').some((u) => u.name === 'staff')).toBe(true);
    expect(h.active()).toEqual([]); // GHOST kicked
    expect(
      h.sim.router.list('/ip/hotspot/user/profile').find((p) => p.name === 'wavu-plan-1')?.['rate-limit'],
    ).toBe(rateLimit(2048, 5120));
    expect(await h.grantStatus(revoked.accessCodeId)).toBe('revoked');
    // A code whose deadline passed is removed by reconcile even before access.expire runs.
    await h.app.deps.db.execute(
      sql`UPDATE access_codes SET expires_at = ${h.clock.now()} WHERE id = ${live[0]!.accessCodeId}`,
    );
    const res = await reconcileRouter(h.app.deps, h.routerId);
    expect(res.report).toMatchObject({ removed: 1, added: 0 });
    expect(h.ourUsers().map((u) => u.name)).toEqual([live[1]!.code]);
  });

  it('a reconcile with nothing to change costs the same statements for 3 codes as for 30, and writes no grant', async () => {
    const measure = async (n: number) => {
      h = await harness();
      for (let i = 0; i < n; i++)
        await h.issue({ mac: `A4:00:00:00:0C:${i.toString(16).padStart(2, '0').toUpperCase()}` });
      await h.drain();
      await reconcileRouter(h.app.deps, h.routerId); // the first confirms what the grants did
      const stamp = async () =>
        (
          await query<{ t: unknown }>(
            h.app.deps.db,
            sql`SELECT max(updated_at) AS t FROM access_grants WHERE router_id = ${h.routerId}`,
          )
        )[0]!.t;
      const before = await stamp();
      h.clock.advance(60_000);
      const s0 = h.t.database.stats.statements;
      const res = await reconcileRouter(h.app.deps, h.routerId);
      const statements = h.t.database.stats.statements - s0;
      expect(res.report).toEqual({ added: 0, updated: 0, removed: 0, kicked: 0 });
      expect(h.ourUsers()).toHaveLength(n);
      expect(await stamp()).toEqual(before); // every grant was already 'granted': none rewritten
      await h.close();
      return statements;
    };
    const few = await measure(3);
    expect(await measure(30)).toBe(few);
    h = undefined as unknown as Harness;
  });

  it("a revoke during a reconcile's reads neither waits for them nor is undone by them", async () => {
    h = await harness();
    const c = await h.issue();
    await h.drain();
    h.sim.setFault('reset'); // the router lost its users: reconcile means to add the code back
    expect(h.ourUsers()).toEqual([]);
    // Paused after the router's lists and the database were read, before any write.
    const hold = h.sim.hold('/ip/hotspot/user/profile/print');
    const run = reconcileRouter(h.app.deps, h.routerId);
    await hold.reached;
    // The code expires and its revoke runs to the end meanwhile: it does not wait for the reads.
    await h.app.deps.db.execute(
      sql`UPDATE access_codes SET expires_at = ${h.clock.now()} WHERE id = ${c.accessCodeId}`,
    );
    await h.app.deps.enqueue(h.app.deps.db, EXPIRE_JOB, { accessCodeId: c.accessCodeId }, { key: 'x' });
    await h.drain();
    expect(await h.grantStatus(c.accessCodeId)).toBe('revoked');
    hold.release();
    expect((await run).report).toMatchObject({ added: 0 });
    expect(h.ourUsers()).toEqual([]);
    expect(await h.grantStatus(c.accessCodeId)).toBe('revoked');
  });

  it.each([
    ['still on the router', false],
    ['lost by the router', true],
  ])(
    "a code bought again during a reconcile's reads keeps its user and its grant (user %s)",
    async (_, lost) => {
      h = await harness();
      const c = await h.issue();
      await h.drain();
      if (lost) h.sim.setFault('reset');
      // Past its deadline, not yet expired: reconcile reads it as dead (and its user as one to remove).
      await h.app.deps.db.execute(
        sql`UPDATE access_codes SET expires_at = ${h.clock.now()} WHERE id = ${c.accessCodeId}`,
      );
      const hold = h.sim.hold('/ip/hotspot/user/profile/print');
      const run = reconcileRouter(h.app.deps, h.routerId);
      await hold.reached;
      // Bought again: an hour more, and the grant job puts it right on the router meanwhile.
      h.clock.advance(1_000);
      await h.app.deps.db.execute(
        sql`UPDATE access_codes SET expires_at = ${new Date(h.clock.now().getTime() + 3_600_000)} WHERE id = ${c.accessCodeId}`,
      );
      await h.app.deps.enqueue(
        h.app.deps.db,
        GRANT_JOB,
        { accessCodeId: c.accessCodeId, routerId: h.routerId },
        { key: 'again' },
      );
      await h.drain();
      hold.release();
      expect((await run).report).toMatchObject({ removed: 0 });
      expect(h.ourUsers().map((u) => u.name)).toEqual([c.code]);
      expect(await h.grantStatus(c.accessCodeId)).toBe('granted');
      // And the next reconcile leaves it there too.
      h.clock.advance(60_000);
      await reconcileRouter(h.app.deps, h.routerId);
      expect(h.ourUsers().map((u) => u.name)).toEqual([c.code]);
    },
  );

  it('runs on its schedule, one job per router, and skips a router already being reconciled', async () => {
    h = await harness();
    const c = await h.issue();
    await h.drain();
    h.sim.router.remove('/ip/hotspot/user', { '.id': h.ourUsers()[0]!['.id']! });
    await h.app.deps.db.execute(
      sql`UPDATE routers SET reconciling_until = ${new Date(h.clock.now().getTime() + 60_000)} WHERE id = ${h.routerId}`,
    );
    expect((await reconcileRouter(h.app.deps, h.routerId)).skipped).toBe(true);
    await h.app.deps.db.execute(sql`UPDATE routers SET reconciling_until = NULL`);
    const w = new (await import('../../src/jobs/worker.ts')).Worker({
      database: h.t.database,
      clock: h.clock,
      log: (await import('../helpers/app.ts')).silentLog(),
      definitions: (await import('../../src/gateways/jobs.ts')).gatewayJobs(h.app.deps),
      recurring: (await import('../../src/gateways/jobs.ts')).gatewayRecurring(),
    });
    h.clock.advance(60_000);
    await w.drain();
    expect(h.ourUsers().map((u) => u.name)).toEqual([c.code]);
    expect((await h.jobs('gateway.reconcile-router')).length).toBeGreaterThanOrEqual(1);
  });
});

describe('REST transport', () => {
  it('grants and revokes through the REST façade', async () => {
    h = await harness({ transport: 'rest' });
    const { accessCodeId, code } = await h.issue();
    await h.drain();
    expect(h.ourUsers().map((u) => u.name)).toEqual([code]);
    await h.app.deps.enqueue(h.app.deps.db, REVOKE_JOB, { accessCodeId });
    await h.drain();
    expect(h.ourUsers()).toEqual([]);
  });
});
