/**
 * Mikhmon exports a username and a different password per voucher. Imported, both are kept and
 * the customer logs in with the pair: over RADIUS (radclient: PAP; CHAP as MikroTik's default) and
 * on the portal, where the password box appears once the code alone is answered. A wrong password
 * or the username twice is refused and counted as a guess.
 */
import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app/run.ts';
import { SYSTEM } from '../../src/audit/index.ts';
import { query } from '../../src/db/open.ts';
import { loadAccess } from '../../src/gateways/access-specs.ts';
import { hotspotChapResponse } from '../../src/gateways/hotspot-login.ts';
import { userAttrs } from '../../src/gateways/mikrotik/hotspot-users.ts';
import { ManualClock } from '../../src/lib/clock.ts';
import { attr, decodePacket, encodeRequest, RadiusCode } from '../../src/protocols/radius/index.ts';
import { startRadiusService } from '../../src/radius/service.ts';
import type { RadiusServer } from '../../src/radius/server.ts';
import { importVouchers } from '../../src/vouchers/import-vouchers.ts';
import { startDrainedApp } from '../helpers/app.ts';
import type { TestDatabase } from '../helpers/db.ts';
import { addRadiusRouter, exchange, hasRadclient, radclient } from '../radius/helpers.ts';

const SECRET = 'mikhmon-secret';
const CSV = [
  'Username,Password,Profile,Time Limit,Comment',
  'mh7k2q9x,4821,1h,1h,vc-101',
  'mh3p8w2z,9364,1h,1h,vc-101',
  'mh5t6y7u,5508,1h,1h,vc-101',
  'mh9a4s2d,1177,1h,1h,vc-101',
].join('\n');

let t: TestDatabase;
let app: App;
let radius: RadiusServer;
const clock = new ManualClock('2026-03-01T08:00:00Z');

beforeAll(async () => {
  ({ t, app } = await startDrainedApp(clock));
  await addRadiusRouter(app.deps, { name: 'gate', secret: SECRET, address: '127.0.0.1' });
  radius = await startRadiusService(app.deps, { host: '127.0.0.1', authPort: 0, acctPort: 0 });
  const [plan] = await query<{ id: number }>(
    app.deps.db,
    sql`INSERT INTO plans (name, price_kes, duration_seconds, devices) VALUES ('mikhmon 1h', 20, 3600, 1) RETURNING id`,
  );
  const r = await importVouchers(app.deps, { actor: SYSTEM, planId: plan!.id, text: CSV });
  expect({ imported: r.imported, problems: r.problems }).toEqual({ imported: 4, problems: [] });
});
afterAll(async () => {
  await radius.stop();
  await app.stop();
  await t.drop();
});

const pap = (user: string, password: string, mac: string) =>
  radclient(radius.authPort!, 'auth', SECRET, [
    `User-Name = "${user}"`,
    `User-Password = "${password}"`,
    `Calling-Station-Id = "${mac}"`,
    'Message-Authenticator = 0x00',
  ]);

describe('vouchers imported with their own password', () => {
  it('stores the password hashed and sealed, never in the clear', async () => {
    const rows = await query<{ password_hash: string; password_sealed: string }>(
      app.deps.db,
      sql`SELECT password_hash, password_sealed FROM access_codes WHERE password_hash IS NOT NULL`,
    );
    expect(rows).toHaveLength(4);
    for (const r of rows) {
      expect(['4821', '9364', '5508', '1177']).not.toContain(r.password_sealed);
      expect(r.password_hash).not.toMatch(/^\d{4}$/);
    }
    expect(rows.map((r) => app.deps.sealer.unseal(r.password_sealed)).sort()).toEqual([
      '1177',
      '4821',
      '5508',
      '9364',
    ]);
  });

  it('an api-mode router is given the pair as its hotspot user', async () => {
    const [c] = await query<{ id: string }>(
      app.deps.db,
      sql`SELECT id FROM access_codes WHERE password_hash IS NOT NULL ORDER BY id LIMIT 1`,
    );
    const { spec } = await loadAccess(app.deps.db, app.deps, c!.id, clock.now());
    const user = userAttrs(spec!, undefined, []);
    expect(user.name).toBe(spec!.code);
    expect(user.password).toBe(spec!.password);
    expect(['4821', '9364', '5508', '1177']).toContain(user.password);
  });

  it.skipIf(!hasRadclient)(`logs in over RADIUS with the pair (PAP), refuses a wrong password`, async () => {
    const wrong = await pap('mh7k2q9x', '4822', '02:00:00:00:01:01');
    expect(wrong.reply).toBe('Access-Reject');
    // The username as its own password (how Wavu's own codes log in) is no way around it.
    const same = await pap('mh7k2q9x', 'mh7k2q9x', '02:00:00:00:01:01');
    expect(same.reply).toBe('Access-Reject');
    const right = await pap('MH7K2Q9X', '4821', '02:00:00:00:01:01');
    expect(right.reply).toBe('Access-Accept');
    expect(Number(right.attrs['Session-Timeout'])).toBe(3600);
    // Two misses from this device were counted as guesses; the right pair gave its own back.
    const [g] = await query<{ n: number | string }>(
      app.deps.db,
      sql`SELECT coalesce(sum(count), 0) AS n FROM rate_limits WHERE key LIKE '%02:00:00:00:01:01%'`,
    );
    expect(Number(g!.n)).toBe(2);
  });

  it('logs in over RADIUS with CHAP against the voucher password', async () => {
    const challenge = Buffer.from('00112233445566778899aabbccddeeff', 'hex');
    const chap = (password: string) => {
      const id = 7;
      const h = createHash('md5');
      h.update(Buffer.from([id]));
      h.update(password);
      h.update(challenge);
      return Buffer.concat([Buffer.from([id]), h.digest()]);
    };
    const send = async (password: string) =>
      decodePacket(
        (await exchange(
          radius.authPort!,
          encodeRequest({
            code: RadiusCode.AccessRequest,
            identifier: 2,
            attributes: [
              attr('User-Name', 'mh3p8w2z'),
              attr('CHAP-Password', chap(password)),
              attr('CHAP-Challenge', challenge),
              attr('Calling-Station-Id', '02:00:00:00:01:02'),
            ],
            secret: SECRET,
          }),
        ))!,
      ).code;
    expect(await send('9365')).toBe(RadiusCode.AccessReject);
    expect(await send('mh3p8w2z')).toBe(RadiusCode.AccessReject);
    expect(await send('9364')).toBe(RadiusCode.AccessAccept);
  });

  const hs = (mac: string) => ({
    mac,
    ip: '10.5.50.30',
    'link-login-only': 'http://10.5.50.1/login',
    'link-orig': 'http://example.com/',
    router: 'gate',
  });
  const post = (form: Record<string, string>) =>
    app.server!.inject({
      method: 'POST',
      url: '/portal/voucher',
      payload: new URLSearchParams(form).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
  const get = (url: string) => app.server!.inject({ url });

  it('on the portal: asks for the password after the code alone, refuses a wrong one, connects with the pair', async () => {
    const mac = '34:12:f9:8a:21:60';
    // The usual page has no password box: Wavu's own codes need none.
    expect((await get(`/portal/voucher?${new URLSearchParams(hs(mac))}`)).body).not.toContain(
      'name="password"',
    );

    const alone = await post({ ...hs(mac), code: 'mh5t6y7u' });
    const asked = String(alone.headers.location);
    expect(asked).toContain('e=password_needed');
    const page = (await get(asked)).body;
    expect(page).toContain('This voucher has a password too');
    expect(page).toMatch(/<input type="password" id="password" name="password"/);
    expect(page).toContain('value="mh5t6y7u"');

    const wrong = await post({ ...hs(mac), code: 'mh5t6y7u', password: '5509' });
    const back = String(wrong.headers.location);
    expect(back).toContain('e=unknown');
    expect(back).toContain('pw=1');
    expect(back).not.toContain('5509');
    expect((await get(back)).body).toContain('name="password"');

    // The MikroTik login form's field names work too.
    const right = await post({ ...hs(mac), username: 'mh5t6y7u', password: '5508' });
    const to = String(right.headers.location);
    expect(to).toMatch(/^\/portal\/connect\?t=/);
    // The router is handed the pair, so its RADIUS request (PAP here) carries the password.
    const connect = (await get(to)).body;
    expect(connect).toContain('name="username" value="MH5T6Y7U"');
    expect(connect).toContain('name="password" value="5508"');
  });

  it('on the portal with a CHAP login page, the router gets the CHAP response of the password', async () => {
    const mac = '34:12:f9:8a:21:61';
    const chapId = '\\371';
    const challenge = '\\357\\015\\330\\013\\021\\234\\145\\245\\303\\253\\142\\246\\133\\175\\375\\316';
    const form = { ...hs(mac), 'chap-id': chapId, 'chap-challenge': challenge };
    const r = await post({ ...form, code: 'mh9a4s2d', password: '1177' });
    const connect = (await get(String(r.headers.location))).body;
    expect(connect).toContain(`name="password" value="${hotspotChapResponse(chapId, '1177', challenge)}"`);
  });
});
