/**
 * The PPPoE settings through the admin API (the Settings page's PUT /settings/ppp), and what each
 * changes: the expired pool named in an overdue subscriber's Accept, the Acct-Interim-Interval
 * every Accept asks for (over a real UDP socket to Wavu's RADIUS), and the day reminders go out.
 * Bad values are refused with a 400 and change nothing. Also: a plain-string setting reads back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getSetting, putSetting } from '../../src/settings/index.ts';
import {
  attr,
  decodePacket,
  encodeRequest,
  getInt,
  getText,
  RadiusCode,
} from '../../src/protocols/radius/index.ts';
import { startRadiusService } from '../../src/radius/service.ts';
import type { RadiusServer } from '../../src/radius/server.ts';
import { remindDue } from '../../src/subscribers/remind-due.ts';
import { type AdminHarness, adminHarness, inject, makeUser, sessionFor } from '../admin/helpers.ts';
import { addSubscriber } from '../helpers/subscribers.ts';
import { insertSubscriber, smsTo } from '../helpers/subscriber-rows.ts';
import { addRadiusRouter, exchange } from '../radius/helpers.ts';

const SECRET = 'ppp-settings-secret';
const DAY = 86_400_000;
let h: AdminHarness;
let server: RadiusServer;
let owner: { cookie: string; csrf: string };
let ident = 0;

beforeAll(async () => {
  h = await adminHarness();
  await addRadiusRouter(h.app.deps, {
    name: 'ppp-nas',
    secret: SECRET,
    address: '127.0.0.1',
    requireMa: false,
  });
  server = await startRadiusService(h.app.deps, { host: '127.0.0.1', authPort: 0, acctPort: 0 });
  owner = await sessionFor(h, (await makeUser(h, 'owner-ppp', 'owner')).id);
});
afterAll(async () => {
  await server?.stop();
  await h?.stop();
});

async function accept(user: string, password: string) {
  ident = (ident + 1) % 256;
  const raw = await exchange(
    server.authPort!,
    encodeRequest({
      code: RadiusCode.AccessRequest,
      identifier: ident,
      attributes: [
        attr('User-Name', user),
        attr('User-Password', password),
        attr('Service-Type', 2),
        attr('Framed-Protocol', 1),
      ],
      secret: SECRET,
    }),
  );
  const p = decodePacket(raw!);
  expect(p.code).toBe(RadiusCode.AccessAccept);
  return { pool: getText(p, 'Framed-Pool') ?? null, interim: getInt(p, 'Acct-Interim-Interval') };
}

const put = (body: unknown) => inject(h, owner, 'PUT', '/api/admin/settings/ppp', body);
const shown = async () => (await inject(h, owner, 'GET', '/api/admin/settings')).json().ppp;

describe('PPPoE settings', () => {
  it('a plain-string setting reads back as the string', async () => {
    await putSetting(h.app.deps.db, h.clock.now(), 'ppp_expired_pool', 'plain-pool');
    expect(await getSetting<string>(h.app.deps.db, 'ppp_expired_pool')).toBe('plain-pool');
    await putSetting(h.app.deps.db, h.clock.now(), 'ppp_expired_pool', '{"not":"an object"}');
    expect(await getSetting<string>(h.app.deps.db, 'ppp_expired_pool')).toBe('{"not":"an object"}');
    expect((await put({ expiredPool: null })).statusCode).toBe(200);
    expect(await getSetting(h.app.deps.db, 'ppp_expired_pool')).toBeNull();
  });

  it('the expired pool and the interim interval change what the Accept says', async () => {
    const now = h.clock.now().getTime();
    const overdue = await addSubscriber(h.app.deps, { state: 'expired', dueAt: new Date(now - 10 * DAY) });
    const paid = await addSubscriber(h.app.deps, { dueAt: new Date(now + 10 * DAY) });
    expect(await shown()).toMatchObject({ expiredPool: 'wavu-expired', interimSeconds: 300, remindDays: 3 });
    expect(await accept(overdue.username, overdue.password)).toEqual({ pool: 'wavu-expired', interim: 300 });

    expect((await put({ expiredPool: 'unpaid-pool', interimSeconds: 900 })).statusCode).toBe(200);
    expect(await shown()).toMatchObject({ expiredPool: 'unpaid-pool', interimSeconds: 900 });
    expect(await accept(overdue.username, overdue.password)).toEqual({ pool: 'unpaid-pool', interim: 900 });
    expect(await accept(paid.username, paid.password)).toEqual({ pool: null, interim: 900 });

    // Null puts the default back.
    expect((await put({ expiredPool: null, interimSeconds: null })).statusCode).toBe(200);
    expect(await accept(overdue.username, overdue.password)).toEqual({ pool: 'wavu-expired', interim: 300 });
  });

  it('the reminder days change which subscribers are texted', async () => {
    // 2 March 12:00 EAT; one subscriber due 7 March (5 days ahead), one due 5 March (3 days ahead).
    const eatMidnight = (d: number) => new Date(Date.UTC(2026, 2, d) - 3 * 3_600_000);
    await insertSubscriber(h.app.deps.db, {
      accountNo: 'S5001',
      phone: '254712905001',
      dueAt: eatMidnight(7),
    });
    await insertSubscriber(h.app.deps.db, {
      accountNo: 'S3001',
      phone: '254712903001',
      dueAt: eatMidnight(5),
    });
    expect((await put({ remindDays: 5 })).statusCode).toBe(200);
    expect((await remindDue(h.app.deps)).before).toBe(1);
    expect(await smsTo(h.app.deps.db, '254712905001')).toHaveLength(1);
    expect(await smsTo(h.app.deps.db, '254712903001')).toHaveLength(0);
    expect((await put({ remindDays: 0 })).statusCode).toBe(200);
    expect((await remindDue(h.app.deps)).before).toBe(0);
    expect((await put({ remindDays: null })).statusCode).toBe(200);
    expect((await remindDue(h.app.deps)).before).toBe(1);
    expect(await smsTo(h.app.deps.db, '254712903001')).toHaveLength(1);
  });

  it('refuses bad values with a 400 and keeps what was stored; a cashier may not change them', async () => {
    expect((await put({ interimSeconds: 600 })).statusCode).toBe(200);
    for (const bad of [
      { expiredPool: 'has space' },
      { expiredPool: 'quote"d' },
      { expiredPool: '' },
      { interimSeconds: 10 },
      { interimSeconds: 90.5 },
      { interimSeconds: '600' },
      { remindDays: 31 },
      { remindDays: -1 },
      { colour: 'red' },
    ]) {
      const res = await put(bad);
      expect(res.statusCode, JSON.stringify(bad)).toBe(400);
    }
    const cashier = await sessionFor(h, (await makeUser(h, 'cashier-ppp', 'cashier')).id);
    expect(
      (await inject(h, cashier, 'PUT', '/api/admin/settings/ppp', { interimSeconds: 60 })).statusCode,
    ).toBe(403);
    expect(await shown()).toMatchObject({ interimSeconds: 600 });
  });
});
