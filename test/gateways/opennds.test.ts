/**
 * openNDS mode without the real router: the FAS decoding (levels 1 and 3), bad input (a wrong
 * faskey, a forged `fas`, a wrong gatewayhash credit nothing), authmon's exchange (view → ack),
 * the level-1 token redirect, the deauth poller's report, and the setup script.
 */
import { createCipheriv, createHash, randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueForPurchase } from '../../src/access/issue-for-purchase.ts';
import { revokeCode } from '../../src/access/revoke.ts';
import type { App } from '../../src/app/run.ts';
import { SYSTEM } from '../../src/audit/index.ts';
import { query } from '../../src/db/open.ts';
import { openndsScript } from '../../src/gateways/opennds/script.ts';
import { addRouter } from '../../src/gateways/index.ts';
import { routerById } from '../../src/gateways/routers/repo.ts';
import { ManualClock } from '../../src/lib/clock.ts';
import {
  ackedRhids,
  authmonReply,
  decodeLevel1,
  decodeLevel3,
  FasDecodeError,
  gatewayHash,
  parseNdsctlJson,
  rhid,
} from '../../src/protocols/opennds/index.ts';
import { startDrainedApp } from '../helpers/app.ts';
import type { TestDatabase } from '../helpers/db.ts';

const MAC = '02:00:00:55:00:02';
const HID = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';

/** What openNDS builds: the ", "-separated list (gatewayname url-encoded). */
function fasList(gatewayName: string, o: { mac?: string; hid?: string } = {}): string {
  return [
    `hid=${o.hid ?? HID}`,
    'clientip=10.9.0.2',
    `clientmac=${(o.mac ?? MAC).toLowerCase()}`,
    'client_type=cpd_can',
    `gatewayname=${encodeURIComponent(gatewayName)}`,
    'gatewayurl=http%3A%2F%2F10.9.0.1%3A2050',
    'version=9.10.0',
    'gatewayaddress=10.9.0.1:2050',
    'gatewaymac=02:00:00:00:00:01',
    'originurl=http%3A%2F%2Fexample.org%2Fnews',
    'clientif=lan0',
    'themespec=',
    'authdir=opennds_auth',
  ].join(', ');
}

/** PHP's openssl_encrypt(…, 'aes-256-cbc', key, 0, iv), base64-encoded once more, as openNDS sends it. */
function level3(plain: string, faskey: string, iv = '0123456789abcdef'): { fas: string; iv: string } {
  const key = Buffer.alloc(32);
  Buffer.from(faskey).copy(key, 0, 0, 32);
  const c = createCipheriv('aes-256-cbc', key, Buffer.from(iv));
  const once = Buffer.concat([c.update(plain, 'utf8'), c.final()]).toString('base64');
  return { fas: Buffer.from(once).toString('base64'), iv };
}

describe('openNDS FAS wire formats', () => {
  it('decodes level 1 and level 3, and refuses a wrong key or a forged fas', () => {
    const list = fasList('flat-Abc');
    const p1 = decodeLevel1(Buffer.from(list).toString('base64'));
    expect(p1).toMatchObject({ hid: HID, clientmac: MAC.toLowerCase(), gatewayname: 'flat-Abc' });
    expect(p1.originurl).toBe('http://example.org/news');
    const enc = level3(list, 'the-right-faskey-123');
    expect(decodeLevel3(enc.fas, enc.iv, 'the-right-faskey-123').hid).toBe(HID);
    expect(() => decodeLevel3(enc.fas, enc.iv, 'a-wrong-faskey-4567')).toThrow(FasDecodeError);
    const forged = Buffer.from(Buffer.from(list).toString('base64')).toString('base64');
    expect(() => decodeLevel3(forged, enc.iv, 'the-right-faskey-123')).toThrow(FasDecodeError);
    expect(() => decodeLevel1('%%%')).toThrow(FasDecodeError);
    expect(() => decodeLevel1(Buffer.from('clientmac=aa:bb').toString('base64'))).toThrow(FasDecodeError);
  });

  it('derives rhid and gatewayhash as openNDS does, and speaks authmon', () => {
    expect(rhid(HID, 'k3y')).toBe(createHash('sha256').update(`${HID}k3y`).digest('hex'));
    expect(gatewayHash('My Cafe')).toBe(createHash('sha256').update('My%20Cafe').digest('hex'));
    const r = 'f'.repeat(64);
    const reply = authmonReply([
      {
        rhid: r,
        minutes: 59.2,
        upKbps: 512,
        downKbps: 2048,
        upQuotaKb: 0,
        downQuotaKb: 1000,
        custom: 'wavu',
      },
    ]);
    expect(reply.startsWith('* ')).toBe(true);
    expect(decodeURIComponent(reply.slice(2))).toBe(`${r} 59 512 2048 0 1000 d2F2dQ==`);
    expect(authmonReply([])).toBe('*');
    expect(ackedRhids(`* ${r}`)).toEqual([r]);
    expect(ackedRhids('*')).toEqual([]);
    expect(ackedRhids('none')).toEqual([]);
  });

  it('reads ndsctl json and ignores anything else', () => {
    const json = JSON.stringify({
      client_list_length: '1',
      clients: {
        [MAC.toLowerCase()]: {
          mac: MAC.toLowerCase(),
          ip: '10.9.0.2',
          token: '1657d3dc',
          state: 'Authenticated',
          session_start: '1796137194',
          download_this_session: '412',
          upload_this_session: '7',
        },
      },
    });
    expect(parseNdsctlJson(json)).toEqual([
      {
        mac: MAC,
        ip: '10.9.0.2',
        token: '1657d3dc',
        state: 'Authenticated',
        sessionStart: 1796137194,
        downloadKb: 412,
        uploadKb: 7,
      },
    ]);
    expect(parseNdsctlJson('ndsctl: openNDS probably not started')).toBeNull();
    expect(parseNdsctlJson('')).toBeNull();
    expect(parseNdsctlJson('{"client_list_length":"0"}')).toEqual([]);
    expect(parseNdsctlJson('{"clients":{"x":{"mac":"nonsense"}}}')).toEqual([]);
  });
});

describe('openNDS routers in Wavu', () => {
  const clock = new ManualClock('2026-03-02T08:00:00Z');
  let t: TestDatabase;
  let app: App;

  beforeAll(async () => {
    ({ t, app } = await startDrainedApp(clock));
  });
  afterAll(async () => {
    await app?.stop();
    await t?.drop();
  });

  const router = async (name: string, level?: 1 | 3) => {
    const { router: r, generated } = await addRouter(
      app.deps,
      { mode: 'opennds', name, ...(level ? { level } : {}) },
      { actor: SYSTEM },
    );
    const row = (await routerById(app.deps.db, r.id))!;
    return { id: r.id, row, faskey: generated.faskey!, gatewayName: row.openndsGatewayName! };
  };
  const arrive = (id: number, q: Record<string, string>) =>
    app.server!.inject({ method: 'GET', url: `/opennds/${id}/?${new URLSearchParams(q)}` });
  const post = (id: number, form: Record<string, string>) =>
    app.server!.inject({
      method: 'POST',
      url: `/opennds/${id}/`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams(form).toString(),
    });
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const clients = (routerId: number) =>
    query<{ state: string; mac: string; token: string }>(
      app.deps.db,
      sql`SELECT state, mac, token FROM opennds_clients WHERE router_id = ${routerId}`,
    );
  const issue = (routerId: number, mac = MAC) =>
    app.deps.db.transaction((tx) =>
      issueForPurchase(tx, app.deps, {
        purchaseId: randomUUID(),
        planId: 1,
        phone: null,
        mac,
        routerId,
        purpose: 'access',
      }),
    );
  const login = (token: string, code: string) =>
    app.server!.inject({
      method: 'POST',
      url: `/portal/opennds/login/${token}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ username: code, password: code, dst: 'http://example.org/' }).toString(),
    });

  it('adds a level-3 router by default, with a faskey and an unguessable gateway name', async () => {
    const r = await router('nds-a');
    expect(r.row.openndsLevel).toBe(3);
    expect(r.faskey.length).toBeGreaterThanOrEqual(16);
    expect(r.gatewayName).toMatch(/^nds-a-[A-Za-z0-9]{12,}$/);
    expect(r.row.openndsGatewayHash).toBe(gatewayHash(r.gatewayName));
    await expect(
      addRouter(app.deps, { mode: 'opennds', name: 'nds-bad', level: 2 } as never, { actor: SYSTEM }),
    ).rejects.toThrow(/must be 3/);
  });

  it('a forged fas, a wrong faskey or another gateway name records nothing and gets a 400', async () => {
    const r = await router('nds-b');
    const list = fasList(r.gatewayName);
    const wrongKey = level3(list, 'not-the-faskey-of-this-router');
    expect((await arrive(r.id, wrongKey)).statusCode).toBe(400);
    expect((await arrive(r.id, { fas: b64(b64(list)), iv: '0123456789abcdef' })).statusCode).toBe(400);
    expect((await arrive(r.id, level3(fasList('someone-else'), r.faskey))).statusCode).toBe(400);
    expect((await arrive(r.id, { iv: '0123456789abcdef' })).statusCode).toBe(400);
    expect((await arrive(999_999, level3(list, r.faskey))).statusCode).toBe(404);
    expect(await clients(r.id)).toEqual([]);
    const ok = await arrive(r.id, level3(list, r.faskey));
    expect(ok.statusCode).toBe(303);
    const to = new URL(ok.headers.location as string, 'http://x');
    expect(to.pathname).toBe('/portal');
    expect(to.searchParams.get('mac')).toBe(MAC);
    expect(to.searchParams.get('router')).toBe('nds-b');
    expect(to.searchParams.get('link-login-only')).toMatch(/\/portal\/opennds\/login\/[A-Za-z0-9_-]{20,}$/);
    expect(await clients(r.id)).toHaveLength(1);
  });

  it('authmon: a wrong gatewayhash gets nothing; view → authorisation → ack; a wrong code authorises nothing', async () => {
    const r = await router('nds-c');
    const ok = await arrive(r.id, level3(fasList(r.gatewayName), r.faskey));
    const token = new URL(ok.headers.location as string, 'http://x').searchParams
      .get('link-login-only')!
      .split('/')
      .pop()!;
    const view = (hash: string, payload = 'none') =>
      post(r.id, { auth_get: 'view', gatewayhash: hash, payload: b64(payload) });

    const bad = await login(token, 'WRONGCODE1');
    expect(bad.statusCode).toBe(303);
    expect(bad.headers.location).toMatch(/^\/portal\?.*error=/);
    expect((await view(r.row.openndsGatewayHash!)).body).toBe('*');

    const { code, accessCodeId } = await issue(r.id);
    const good = await login(token, code);
    expect(good.statusCode).toBe(303);
    expect(good.headers.location).toMatch(new RegExp(`^/portal/opennds/wait/${token}`));

    const wrong = await view(gatewayHash('nds-c'));
    expect(wrong.statusCode).toBe(403);
    expect(wrong.body).not.toMatch(/^\*/);
    const other = await router('nds-c2');
    expect((await view(other.row.openndsGatewayHash!)).statusCode).toBe(403);

    const auth = await view(r.row.openndsGatewayHash!);
    expect(auth.statusCode).toBe(200);
    const [line] = auth.body.slice(2).split(' ');
    const [rh, minutes, , , , , custom] = decodeURIComponent(line!).split(' ');
    expect(rh).toBe(rhid(HID, r.faskey));
    expect(Number(minutes)).toBe(60);
    expect(custom).toBe(b64('wavu'));
    // Still offered until acknowledged; gone after.
    expect((await view(r.row.openndsGatewayHash!)).body).toBe(auth.body);
    expect((await view(r.row.openndsGatewayHash!, `* ${rh}`)).body).toBe('ack');
    expect((await view(r.row.openndsGatewayHash!)).body).toBe('*');
    expect((await clients(r.id))[0]!.state).toBe('authed');

    // Revoked: the deauth poller is told the MAC until its report no longer lists it.
    await revokeCode(app.deps, { accessCodeId, actor: SYSTEM });
    await app.worker!.drain();
    const report = (state: string) =>
      `now=1796137300\n${JSON.stringify({
        clients: {
          [MAC]: { mac: MAC, ip: '10.9.0.2', token: 'abc', state, session_start: '1796137194' },
        },
      })}`;
    const sync = (body: string) =>
      post(r.id, { auth_get: 'wavu_sync', gatewayhash: r.row.openndsGatewayHash!, payload: b64(body) });
    // A report made before the deauth was handed out confirms nothing (it may predate the login).
    expect((await sync(report('Preauthenticated'))).body).toBe(`* ${MAC.toLowerCase()}`);
    expect((await clients(r.id))[0]!.state).toBe('deauth_pending');
    // A report without ndsctl's answer (it was locked) confirms nothing.
    expect((await sync('now=1796137300\n')).body).toBe(`* ${MAC.toLowerCase()}`);
    expect((await sync(report('Authenticated'))).body).toBe(`* ${MAC.toLowerCase()}`);
    expect((await sync(report('Preauthenticated'))).body).toBe('*');
    expect((await clients(r.id))[0]!.state).toBe('deauthed');
    expect(
      (await post(r.id, { auth_get: 'nonsense', gatewayhash: r.row.openndsGatewayHash! })).statusCode,
    ).toBe(400);
  });

  it('level 1: the login sends the browser to the gateway with tok = sha256(hid + faskey)', async () => {
    const r = await router('nds-d', 1);
    const ok = await arrive(r.id, { fas: b64(fasList(r.gatewayName, { hid: 'ff'.repeat(16) })) });
    expect(ok.statusCode).toBe(303);
    const token = new URL(ok.headers.location as string, 'http://x').searchParams
      .get('link-login-only')!
      .split('/')
      .pop()!;
    const { code } = await issue(r.id);
    const res = await login(token, code);
    expect(res.statusCode).toBe(303);
    const to = new URL(res.headers.location as string);
    expect(`${to.host}${to.pathname}`).toBe('10.9.0.1:2050/opennds_auth/');
    expect(to.searchParams.get('tok')).toBe(rhid('ff'.repeat(16), r.faskey));
    expect(to.searchParams.get('redir')).toBe('http://example.org/');
  });

  it('prints the UCI commands, opennds.conf and the deauth poller with the faskey', async () => {
    const r = await router('nds-e');
    const script = openndsScript({ router: r.row, faskey: r.faskey, publicUrl: 'https://wavu.example.com' });
    expect(script).toContain(`uci set opennds.@opennds[0].faskey='${r.faskey}'`);
    expect(script).toContain("uci set opennds.@opennds[0].fas_secure_enabled='3'");
    expect(script).toContain("uci set opennds.@opennds[0].fasremotefqdn='wavu.example.com'");
    expect(script).toContain(`faspath /opennds/${r.id}/`);
    expect(script).toContain('fasport 443');
    expect(script).toContain('FAS_IP_ADDRESS');
    expect(script).toContain(`HASH='${r.row.openndsGatewayHash}'`);
    const withIp = openndsScript({
      router: r.row,
      faskey: r.faskey,
      publicUrl: 'https://wavu.example.com',
      fasIp: '198.51.100.7',
    });
    expect(withIp).toContain('fasremoteip 198.51.100.7');
    expect(withIp).not.toContain('FAS_IP_ADDRESS');
  });
});
