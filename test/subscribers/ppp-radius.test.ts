/**
 * PPP logins of subscribers through Wavu's RADIUS, with real peers: FreeRADIUS's radclient for
 * PAP and CHAP, a pyrad client computing MS-CHAPv2 on its own for MS-CHAPv2. What the Accept
 * says follows the subscriber's row (rate, static address, expired pool, Session-Timeout up to due
 * + grace); suspended and closed accounts and wrong passwords are rejected.
 */
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Deps } from '../../src/app/deps.ts';
import { ManualClock } from '../../src/lib/clock.ts';
import { startRadiusService } from '../../src/radius/service.ts';
import type { RadiusServer } from '../../src/radius/server.ts';
import { putSetting } from '../../src/settings/index.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { addSubscriber } from '../helpers/subscribers.ts';
import {
  addRadiusRouter,
  addVoucher,
  hasRadclient,
  makeDeps,
  NO_RADCLIENT,
  radclient,
} from '../radius/helpers.ts';

const SECRET = 'ppp-secret';
const DAY = 86_400_000;
const hasPyrad = spawnSync('/usr/bin/python3', ['-c', 'import pyrad, cryptography']).status === 0;
const PEERS = join(import.meta.dirname, 'peers');
const clock = new ManualClock('2026-03-10T09:00:00Z');
let t: TestDatabase;
let deps: Deps;
let server: RadiusServer;

beforeAll(async () => {
  t = await createTestDatabase();
  deps = makeDeps(t, clock);
  // pppd's radius plugin sends no Message-Authenticator, so a PPP router is set up without it.
  await addRadiusRouter(deps, { name: 'ppp-nas', secret: SECRET, address: '127.0.0.1', requireMa: false });
  server = await startRadiusService(deps, { host: '127.0.0.1', authPort: 0, acctPort: 0 });
});
afterAll(async () => {
  await server?.stop();
  await t.drop();
});

const PPP_LINES = ['Service-Type = Framed-User', 'Framed-Protocol = PPP'];
const pap = (user: string, password: string) =>
  radclient(server.authPort!, 'auth', SECRET, [
    `User-Name = "${user}"`,
    `User-Password = "${password}"`,
    ...PPP_LINES,
  ]);
const chap = (user: string, password: string) =>
  radclient(server.authPort!, 'auth', SECRET, [
    `User-Name = "${user}"`,
    `CHAP-Password = "${password}"`,
    ...PPP_LINES,
  ]);

function mschapv2(user: string, password: string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const p = spawn('/usr/bin/python3', [
      join(PEERS, 'mschapv2_client.py'),
      String(server.authPort),
      SECRET,
      join(PEERS, 'dictionary'),
      user,
      password,
    ]);
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => {
      out += d;
    });
    p.stderr.on('data', (d) => {
      err += d;
    });
    p.on('error', reject);
    p.on('close', (status) => {
      if (status !== 0) reject(new Error(`mschapv2 client failed: ${err}`));
      else resolve(JSON.parse(out.trim().split('\n').pop()!));
    });
  });
}

describe.skipIf(!hasRadclient)(
  `PPP access over RADIUS (${hasRadclient ? 'radclient' : NO_RADCLIENT})`,
  () => {
    it('accepts an active subscriber by PAP and CHAP at the plan rate, up to due + grace', async () => {
      const s = await addSubscriber(deps, { dueAt: new Date(clock.now().getTime() + 10 * DAY) });
      for (const login of [pap, chap]) {
        const r = await login(s.username, s.password);
        expect(r.reply).toBe('Access-Accept');
        expect(r.attrs['Mikrotik-Rate-Limit']).toBe('5120k/5120k');
        // Home 5 Mbps has 3 days of grace.
        expect(Number(r.attrs['Session-Timeout'])).toBe(13 * 86_400);
        expect(Number(r.attrs['Acct-Interim-Interval'])).toBe(300);
        expect(r.attrs['Framed-Pool']).toBeUndefined();
        expect(r.attrs['Framed-IP-Address']).toBeUndefined();
      }
    });

    it('rejects a wrong password by PAP and CHAP', async () => {
      const s = await addSubscriber(deps, { dueAt: new Date(clock.now().getTime() + 10 * DAY) });
      expect((await pap(s.username, 'nope')).reply).toBe('Access-Reject');
      expect((await chap(s.username, 'nope')).reply).toBe('Access-Reject');
    });

    it('gives the static address, and the fair-use rate once throttled', async () => {
      const s = await addSubscriber(deps, {
        dueAt: new Date(clock.now().getTime() + 10 * DAY),
        plan: 'Business 20 Mbps',
        staticIp: '10.20.0.7',
        throttled: true,
      });
      const r = await chap(s.username, s.password);
      expect(r.reply).toBe('Access-Accept');
      expect(r.attrs['Framed-IP-Address']).toBe('10.20.0.7');
      expect(r.attrs['Mikrotik-Rate-Limit']).toBe('5120k/5120k');
    });

    it('accepts an expired subscriber (or an active one past due + grace) into the expired pool', async () => {
      await putSetting(deps.db, clock.now(), 'ppp_expired_pool', 'unpaid');
      await putSetting(deps.db, clock.now(), 'ppp_interim_seconds', 120);
      try {
        const expired = await addSubscriber(deps, {
          state: 'expired',
          staticIp: '10.20.0.8',
          dueAt: new Date(clock.now().getTime() - 10 * DAY),
        });
        const late = await addSubscriber(deps, { dueAt: new Date(clock.now().getTime() - 4 * DAY) });
        for (const s of [expired, late]) {
          const r = await pap(s.username, s.password);
          expect(r.reply).toBe('Access-Accept');
          expect(r.attrs['Framed-Pool']).toBe('unpaid');
          expect(r.attrs['Framed-IP-Address']).toBeUndefined();
          expect(Number(r.attrs['Session-Timeout'])).toBe(600);
          expect(Number(r.attrs['Acct-Interim-Interval'])).toBe(120);
        }
      } finally {
        await putSetting(deps.db, clock.now(), 'ppp_expired_pool', 'wavu-expired');
        await putSetting(deps.db, clock.now(), 'ppp_interim_seconds', 300);
      }
    });

    it('rejects suspended and disconnected subscribers even with the right password', async () => {
      for (const state of ['suspended', 'disconnected'] as const) {
        const s = await addSubscriber(deps, { state, dueAt: new Date(clock.now().getTime() + 10 * DAY) });
        const r = await pap(s.username, s.password);
        expect(r.reply).toBe('Access-Reject');
      }
    });

    it('leaves hotspot logins alone: a PPP-framed User-Name that is no subscriber is a voucher attempt', async () => {
      const v = await addVoucher(deps, { hours: 1 });
      const r = await radclient(server.authPort!, 'auth', SECRET, [
        `User-Name = "${v.code}"`,
        `User-Password = "${v.code}"`,
        ...PPP_LINES,
      ]);
      expect(r.reply).toBe('Access-Accept');
      expect(r.attrs.Class).toBeDefined();
    });

    it.skipIf(!hasPyrad)(
      'accepts MS-CHAPv2 with MS-CHAP2-Success and MPPE keys the client can check',
      async () => {
        const s = await addSubscriber(deps, { dueAt: new Date(clock.now().getTime() + 10 * DAY) });
        const ok = await mschapv2(s.username, s.password);
        expect(ok).toMatchObject({ code: 2, successOk: true, sendKeyOk: true, pool: null });
        const bad = await mschapv2(s.username, 'wrong');
        expect(bad.code).toBe(3);
        const ex = await addSubscriber(deps, {
          state: 'expired',
          dueAt: new Date(clock.now().getTime() - 9 * DAY),
        });
        expect(await mschapv2(ex.username, ex.password)).toMatchObject({
          code: 2,
          successOk: true,
          pool: 'wavu-expired',
        });
      },
    );
  },
);
