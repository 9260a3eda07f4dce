/**
 * Radius routers behind NAT: Wavu cannot reach their CoA port, so the router must end sessions
 * itself. Session-Timeout is the time left (checked with radclient as the NAS, on the injectable
 * clock); a CoA port that never answers is marked unreachable after RADIUS_COA_MAX_FAILURES tries
 * and kicks stop retrying; an answer clears the mark; a top-up while online reaches the router as
 * a CoA-Request through the gateway.refresh job. The CoA port is a real UDP socket.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { issueForPurchase } from '../../src/access/issue-for-purchase.ts';
import type { App } from '../../src/app/run.ts';
import { asDate, query } from '../../src/db/open.ts';
import { listRouters } from '../../src/gateways/routers/list-routers.ts';
import { COA_UNREACHABLE_WARNING } from '../../src/gateways/routers/repo.ts';
import { ManualClock } from '../../src/lib/clock.ts';
import { getInt, getText, RadiusCode } from '../../src/protocols/radius/index.ts';
import { RadiusGatewayAdapter, type RadiusRouter } from '../../src/radius/adapter.ts';
import { DynamicAuthTimeout } from '../../src/radius/coa-client.ts';
import { COA_PROBE_JOB } from '../../src/radius/module.ts';
import { startRadiusService } from '../../src/radius/service.ts';
import type { RadiusServer } from '../../src/radius/server.ts';
import { startDrainedApp } from '../helpers/app.ts';
import type { TestDatabase } from '../helpers/db.ts';
import { addRadiusRouter, addVoucher, FakeNas, hasRadclient, NO_RADCLIENT, radclient } from './helpers.ts';
import { REVOKE_JOB } from '../../src/gateways/job-kinds.ts';

const SECRET = 'nat-secret';
const MA = 'Message-Authenticator = 0x00';
const clock = new ManualClock('2026-03-01T08:00:00Z');
let t: TestDatabase;
let app: App;
let server: RadiusServer;
let nas: FakeNas;
let router: RadiusRouter;

if (!hasRadclient) console.warn(NO_RADCLIENT);

const deps = () => app.deps;
const auth = (lines: string[]) => radclient(server.authPort!, 'auth', SECRET, lines);
const acct = (lines: string[]) => radclient(server.acctPort!, 'acct', SECRET, lines);
const login = (code: string, mac: string) =>
  auth([`User-Name = "${code}"`, `User-Password = "${code}"`, `Calling-Station-Id = "${mac}"`, MA]);
const accounting = (o: {
  code: string;
  id: string;
  session: string;
  type: string;
  seconds: number;
  mac: string;
}) =>
  acct([
    `User-Name = "${o.code}"`,
    `Acct-Session-Id = "${o.session}"`,
    `Acct-Status-Type = ${o.type}`,
    `Acct-Session-Time = ${o.seconds}`,
    `Calling-Station-Id = "${o.mac}"`,
    'Framed-IP-Address = 10.5.50.40',
    `Class = "wavu:${o.id}"`,
  ]);

async function routerState() {
  const [r] = await query<{ coa_failures: number; coa_unreachable_since: unknown }>(
    deps().db,
    sql`SELECT coa_failures, coa_unreachable_since FROM routers WHERE id = ${router.id}`,
  );
  return { failures: Number(r!.coa_failures), since: r!.coa_unreachable_since };
}

async function session(acctSessionId: string) {
  const [s] = await query<{ status: string; left_to_router_at: unknown }>(
    deps().db,
    sql`SELECT status, left_to_router_at FROM sessions WHERE acct_session_id = ${acctSessionId}`,
  );
  return s!;
}

async function jobs(kind: string, accessCodeId: string) {
  return query<{ status: string; attempts: number }>(
    deps().db,
    sql`SELECT status, attempts FROM jobs WHERE kind = ${kind} AND payload->>'accessCodeId' = ${accessCodeId} ORDER BY id`,
  );
}

describe.skipIf(!hasRadclient)(
  hasRadclient ? 'radius routers behind NAT' : `SKIPPED: ${NO_RADCLIENT}`,
  () => {
    beforeAll(async () => {
      ({ t, app } = await startDrainedApp(clock));
      nas = new FakeNas(SECRET);
      await nas.start();
      const id = await addRadiusRouter(app.deps, {
        name: 'behind-nat',
        secret: SECRET,
        address: '127.0.0.1',
        coaPort: nas.port,
      });
      router = {
        id,
        name: 'behind-nat',
        host: '127.0.0.1',
        nasAddress: '127.0.0.1',
        coaPort: nas.port,
        radiusSecretSealed: app.deps.sealer.seal(SECRET),
      };
      server = await startRadiusService(app.deps, {
        host: '127.0.0.1',
        authPort: 0,
        acctPort: 0,
        interimSeconds: 60,
        nasCache: { ttlMs: 5_000, missReloadMs: 0 },
      });
    });
    afterAll(async () => {
      await server?.stop();
      nas?.stop();
      await app?.stop();
      await t?.drop();
    });
    beforeEach(async () => {
      nas.answer = 'ack';
      nas.received = [];
      await app.deps.db.execute(
        sql`UPDATE routers SET coa_failures = 0, coa_unreachable_since = NULL WHERE id = ${router.id}`,
      );
    });

    it('Session-Timeout is the time left: wall clock until expiry, uptime clock what is left', async () => {
      const wall = await addVoucher(app.deps, { hours: 1 });
      expect((await login(wall.code, 'AA:BB:CC:01:00:01')).attrs['Session-Timeout']).toBe('3600');
      clock.advance(25 * 60_000);
      const again = await login(wall.code, 'AA:BB:CC:01:00:01');
      expect(again.reply).toBe('Access-Accept');
      expect(again.attrs['Session-Timeout']).toBe(String(3600 - 25 * 60));

      const up = await addVoucher(app.deps, { hours: 1, clock: 'uptime' });
      expect((await login(up.code, 'AA:BB:CC:01:00:02')).attrs['Session-Timeout']).toBe('3600');
      // Online 10 min by accounting, then the wall clock runs a day: only time online counts.
      const a = { code: up.code, id: up.id, session: 'up-1', mac: 'AA:BB:CC:01:00:02' };
      await accounting({ ...a, type: 'Start', seconds: 0 });
      await accounting({ ...a, type: 'Stop', seconds: 600 });
      clock.advance(24 * 3600_000);
      expect((await login(up.code, 'AA:BB:CC:01:00:02')).attrs['Session-Timeout']).toBe('3000');
    });

    it('marks the CoA port unreachable after 3 unanswered tries, then kicks go once and are left to the router', async () => {
      const v = await addVoucher(app.deps);
      const mac = 'AA:BB:CC:02:00:01';
      expect((await login(v.code, mac)).reply).toBe('Access-Accept');
      await accounting({ code: v.code, id: v.id, session: 'nat-1', type: 'Start', seconds: 0, mac });
      const adapter = new RadiusGatewayAdapter(app.deps, router, { timeoutMs: 100, retries: 1 });
      const ref = { acctSessionId: 'nat-1', username: v.code, mac, ip: '10.5.50.40' };

      nas.answer = 'silent';
      // Tries 1 and 2: errors, so the job that asked retries (with retransmits each time).
      for (const n of [1, 2]) {
        await expect(adapter.disconnect(ref)).rejects.toBeInstanceOf(DynamicAuthTimeout);
        expect(await routerState()).toMatchObject({ failures: n, since: null });
      }
      expect(nas.received).toHaveLength(4);
      // Try 3: the port is marked, the kick is not an error and the session is left to the router.
      await adapter.disconnect(ref);
      const marked = await routerState();
      expect(marked.failures).toBe(3);
      expect(asDate(marked.since).toISOString()).toBe(clock.now().toISOString());
      const s = await session('nat-1');
      expect(s.status).toBe('active');
      expect(asDate(s.left_to_router_at).toISOString()).toBe(clock.now().toISOString());
      // The operator sees why, in plain words (the admin Routers list and API show `warnings`).
      const view = (await listRouters(app.deps)).find((r) => r.id === router.id)!;
      expect(view.warnings).toContain(COA_UNREACHABLE_WARNING);
      expect(view.coaUnreachableSince?.toISOString()).toBe(clock.now().toISOString());

      // From now on one packet per kick, no retransmits, no error.
      nas.received = [];
      await adapter.disconnect(ref);
      expect(nas.received).toHaveLength(1);

      // Through the worker: a revoke is done at once instead of retrying for minutes.
      nas.received = [];
      await app.deps.enqueue(app.deps.db, REVOKE_JOB, { accessCodeId: v.id }, { key: `revoke:${v.id}:nat` });
      await app.worker!.drain();
      expect(await jobs('gateway.revoke', v.id)).toEqual([{ status: 'done', attempts: 1 }]);
      // (The drain also runs the scheduled CoA probe, unanswered here: one packet of its own.)
      const kicks = nas.received.filter((r) => getText(r.packet, 'Acct-Session-Id') === 'nat-1');
      expect(kicks).toHaveLength(1);
      expect(kicks[0]!.packet.code).toBe(RadiusCode.DisconnectRequest);

      // The probe: the router answers again (the operator forwarded the port), and the mark goes.
      nas.answer = 'nak-gone';
      nas.received = [];
      await app.deps.enqueue(app.deps.db, COA_PROBE_JOB, {}, { key: 'probe:test' });
      await app.worker!.drain();
      expect(nas.received.map((r) => getText(r.packet, 'User-Name'))).toEqual(['wavu-coa-probe']);
      expect(await routerState()).toEqual({ failures: 0, since: null });
      expect((await listRouters(app.deps)).find((r) => r.id === router.id)!.warnings).toEqual([]);
    });

    it('counts only failures in a row: an answer in between starts the count again', async () => {
      const adapter = new RadiusGatewayAdapter(app.deps, router, { timeoutMs: 100, retries: 0 });
      const ref = { acctSessionId: 'nobody', username: 'nobody', mac: null, ip: null };
      nas.answer = 'silent';
      await expect(adapter.disconnect(ref)).rejects.toBeInstanceOf(DynamicAuthTimeout);
      await expect(adapter.disconnect(ref)).rejects.toBeInstanceOf(DynamicAuthTimeout);
      nas.answer = 'nak-gone';
      await adapter.disconnect(ref);
      expect(await routerState()).toEqual({ failures: 0, since: null });
      nas.answer = 'silent';
      await expect(adapter.disconnect(ref)).rejects.toBeInstanceOf(DynamicAuthTimeout);
      expect(await routerState()).toEqual({ failures: 1, since: null });
    });

    it('a top-up while online reaches the router as a CoA-Request with the new Session-Timeout (a job)', async () => {
      const [plan] = await query<{ id: number }>(
        app.deps.db,
        sql`INSERT INTO plans (name, price_kes, duration_seconds, devices, clock)
          VALUES ('nat 1h', 20, 3600, 1, 'wall') RETURNING id`,
      );
      const buy = () =>
        app.deps.db.transaction((tx) =>
          issueForPurchase(tx, app.deps, {
            purchaseId: randomUUID(),
            planId: plan!.id,
            phone: '254712000840',
            mac: null,
            routerId: router.id,
            purpose: 'access',
          }),
        );
      const first = await buy();
      const mac = 'AA:BB:CC:03:00:01';
      expect((await login(first.code, mac)).attrs['Session-Timeout']).toBe('3600');
      const a = { code: first.code, id: first.accessCodeId, session: 'ext-1', mac };
      await accounting({ ...a, type: 'Start', seconds: 0 });
      clock.advance(10 * 60_000);
      await accounting({ ...a, type: 'Interim-Update', seconds: 600 });
      clock.advance(5 * 60_000);

      const again = await buy();
      expect(again).toMatchObject({ accessCodeId: first.accessCodeId, extended: true });
      expect(await jobs('gateway.refresh', first.accessCodeId)).toEqual([{ status: 'queued', attempts: 0 }]);
      await app.worker!.drain();
      expect(await jobs('gateway.refresh', first.accessCodeId)).toEqual([{ status: 'done', attempts: 1 }]);
      const coa = nas.received.filter((r) => r.packet.code === RadiusCode.CoaRequest);
      expect(coa).toHaveLength(1);
      expect(coa[0]!.valid).toBe(true);
      expect(getText(coa[0]!.packet, 'Acct-Session-Id')).toBe('ext-1');
      // The router compares Session-Timeout with the session's uptime: 15 min online so far plus
      // the 1 h 45 min now left = the whole two hours bought, counted from this session's start.
      expect(getInt(coa[0]!.packet, 'Session-Timeout')).toBe(2 * 3600);
      // A new login gets the time left, as always.
      expect((await login(first.code, mac)).attrs['Session-Timeout']).toBe(String(2 * 3600 - 15 * 60));
    });
  },
);
