import { readFileSync } from 'node:fs';
import net from 'node:net';
import { RouterOSAPI } from 'node-routeros';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeSentence, SentenceDecoder } from '../../src/protocols/routeros/codec.ts';
import { RosConnectionError, RosLoginError, RosTrapError } from '../../src/protocols/routeros/errors.ts';
import { RouterOsClient } from '../../src/protocols/routeros/client.ts';
import { RouterOsRestClient } from '../../src/protocols/routeros/rest.ts';
import { type RouterOsSim, startRouterOsSim } from '../../src/sim/routeros/index.ts';

const USERS = [{ name: 'wavu', password: 's3cret-pass' }];
const sims: RouterOsSim[] = [];
const clients: { close(): Promise<void> }[] = [];
async function sim(o: Parameters<typeof startRouterOsSim>[0] = {}) {
  const s = await startRouterOsSim({ users: USERS, ...o });
  sims.push(s);
  return s;
}
function client(s: RouterOsSim, o: Partial<ConstructorParameters<typeof RouterOsClient>[0]> = {}) {
  const c = new RouterOsClient({
    host: '127.0.0.1',
    port: s.apiPort,
    username: 'wavu',
    password: 's3cret-pass',
    ...o,
  });
  clients.push(c);
  return c;
}
afterAll(async () => {
  for (const c of clients) await c.close();
  for (const s of sims) await s.stop();
});

/** Raw words on a socket, to see exactly what the simulator sends. */
async function rawSession(port: number, sentences: string[][]): Promise<string[][]> {
  const sock = net.connect(port, '127.0.0.1');
  const d = new SentenceDecoder();
  const got: string[][] = [];
  const want = sentences.length;
  return new Promise((resolve, reject) => {
    sock.on('data', (b) => {
      got.push(...d.push(b));
      if (got.filter((s) => s[0] === '!done' || s[0] === '!fatal').length >= want) {
        sock.destroy();
        resolve(got);
      }
    });
    sock.on('error', reject);
    for (const s of sentences) sock.write(encodeSentence(s));
  });
}

describe('node-routeros (an independent client) against the simulator', () => {
  it('logs in, adds, lists and removes a hotspot user', async () => {
    // 7.16: node-routeros 1.6.9 predates the 7.18 !empty reply and would crash on it.
    const s = await sim({ version: '7.16.2' });
    const api = new RouterOSAPI({
      host: '127.0.0.1',
      port: s.apiPort,
      user: 'wavu',
      password: 's3cret-pass',
      timeout: 5,
    });
    await api.connect();
    try {
      const added = await api.write('/ip/hotspot/user/add', [
        '=name=K7Q2M9',
        '=password=K7Q2M9',
        '=limit-uptime=1h',
        '=comment=order:123',
      ]);
      expect(added[0]!.ret).toMatch(/^\*[0-9A-F]+$/);
      const list = await api.write('/ip/hotspot/user/print', ['?name=K7Q2M9']);
      expect(list).toHaveLength(1);
      expect(list[0]).toMatchObject({
        '.id': added[0]!.ret,
        name: 'K7Q2M9',
        'limit-uptime': '1h',
        comment: 'order:123',
        profile: 'default',
      });
      await api.write('/ip/hotspot/user/remove', [`=.id=${added[0]!.ret}`]);
      const after = await api.write('/ip/hotspot/user/print', ['?name=K7Q2M9']);
      expect(after).toEqual([]);
      // A trap reaches it as an error with RouterOS's own message.
      await expect(api.write('/ip/hotspot/user/remove', ['=.id=*FFF'])).rejects.toMatchObject({
        message: 'no such item (4)',
      });
    } finally {
      await api.close();
    }
  });

  it('logs in to a pre-6.43 router with the MD5 challenge', async () => {
    const s = await sim({ version: '6.42.12' });
    const api = new RouterOSAPI({
      host: '127.0.0.1',
      port: s.apiPort,
      user: 'wavu',
      password: 's3cret-pass',
      timeout: 5,
    });
    await api.connect();
    const id = await api.write('/system/identity/print');
    expect(id[0]!.name).toBe('MikroTik');
    await api.close();
  });
});

describe('our API client', () => {
  let s: RouterOsSim;
  let c: RouterOsClient;
  beforeAll(async () => {
    s = await sim();
    c = client(s);
  });

  it('runs the hotspot user lifecycle with queries, proplist and count-only', async () => {
    await c.exec('/ip/hotspot/user/profile/add', {
      name: 'wavu-1',
      'rate-limit': '512k/2M',
      'shared-users': 1,
    });
    const { ret } = await c.exec('/ip/hotspot/user/add', {
      name: 'ABC123',
      password: 'ABC123',
      profile: 'wavu-1',
      'limit-uptime': 3600,
      'limit-bytes-total': 1073741824,
      'mac-address': 'a4:11:22:33:44:55',
    });
    const rows = (
      await c.exec(
        '/ip/hotspot/user/print',
        {},
        { query: ['name=ABC123'], proplist: ['name', 'limit-uptime', 'mac-address'] },
      )
    ).rows;
    expect(rows).toEqual([{ name: 'ABC123', 'limit-uptime': '1h', 'mac-address': 'A4:11:22:33:44:55' }]);
    // built-in default-trial is there too, as on a real router
    expect((await c.exec('/ip/hotspot/user/print', { 'count-only': '' })).ret).toBe('2');
    const either = await c.exec(
      '/ip/hotspot/user/print',
      {},
      { query: ['name=ABC123', 'name=default-trial', '#|'] },
    );
    expect(either.rows).toHaveLength(2);
    const neither = await c.exec(
      '/ip/hotspot/user/print',
      {},
      { query: ['name=ABC123', 'name=default-trial', '#|!'] },
    );
    expect(neither.rows).toEqual([]); // 7.19 sends !empty then !done
    await c.exec('/ip/hotspot/user/set', { '.id': ret, comment: 'wavu:x' });
    expect((await c.exec('/ip/hotspot/user/print', {}, { query: ['comment=wavu:x'] })).rows).toHaveLength(1);
    await c.exec('/ip/hotspot/user/remove', { '.id': ret });
  });

  it('surfaces RouterOS errors as traps with their text', async () => {
    await c.exec('/ip/hotspot/user/add', { name: 'DUP', password: 'x' });
    await expect(c.exec('/ip/hotspot/user/add', { name: 'DUP', password: 'x' })).rejects.toThrow(
      'failure: already have user with this name for this server',
    );
    await expect(c.exec('/ip/hotspot/user/add', { name: 'P1', profile: 'nope' })).rejects.toThrow(
      'input does not match any value of profile',
    );
    const e = await c.exec('/ip/hotspot/nothing/print').catch((x) => x);
    expect(e).toBeInstanceOf(RosTrapError);
    expect(e.category).toBe(0);
    // the connection survives traps
    expect((await c.exec('/system/identity/print')).rows[0]!.name).toBe('MikroTik');
  });

  it('multiplexes concurrent commands on one connection', async () => {
    const names = Array.from({ length: 40 }, (_, i) => `C${i}`);
    const ids = await Promise.all(
      names.map((name) => c.exec('/ip/hotspot/user/add', { name, password: name })),
    );
    expect(new Set(ids.map((r) => r.ret)).size).toBe(40);
    const prints = await Promise.all(
      names.map((n) => c.exec('/ip/hotspot/user/print', {}, { query: [`name=${n}`] })),
    );
    for (const [i, p] of prints.entries()) expect(p.rows[0]!.name).toBe(names[i]);
  });

  it('refuses a wrong password clearly', async () => {
    const bad = client(s, { password: 'wrong' });
    const e = await bad.exec('/system/identity/print').catch((x) => x);
    expect(e).toBeInstanceOf(RosLoginError);
    expect(e.message).toContain('invalid user name or password (6)');
  });

  it('reconnects after the router drops the connection, and times out on a slow one', async () => {
    s.setFault('reboot');
    // The close reaches the client as a socket event; wait for it rather than for a guessed time.
    while (c.connected) await new Promise((r) => setImmediate(r));
    expect(c.connected).toBe(false);
    // the next command reconnects by itself
    expect((await c.exec('/system/identity/print')).rows[0]!.name).toBe('MikroTik');
    // Dropped and used at once (before the client could notice): one retry on a fresh connection.
    s.setFault('reboot');
    expect((await c.exec('/system/identity/print')).rows[0]!.name).toBe('MikroTik');
    s.setFault('slow', { slowMs: 300 });
    const e = await c.exec('/system/resource/print', {}, { timeoutMs: 50 }).catch((x) => x);
    expect(e).toBeInstanceOf(RosConnectionError);
    expect(e.message).toContain('timed out');
    s.setFault('none');
    expect((await c.exec('/system/resource/print')).rows[0]!.version).toContain('7.19.4');
    s.setFault('down');
    await expect(c.exec('/system/resource/print')).rejects.toBeInstanceOf(RosConnectionError);
    s.setFault('none');
  });

  it('speaks the old challenge login and the 6.43–6.45 fallback', async () => {
    for (const version of ['6.42.12', '6.44.6']) {
      const old = await sim({ version });
      expect((await client(old).exec('/system/resource/print')).rows[0]!.version).toContain(version);
    }
    const v6 = await sim({ version: '6.49.10' });
    await expect(
      client(v6, { loginMethod: 'challenge' }).exec('/system/resource/print'),
    ).rejects.toBeInstanceOf(RosLoginError);
  });

  it('answers tagged replies, !empty on 7.18+, /cancel and /quit on the wire', async () => {
    const slow = await sim();
    const out = await rawSession(slow.apiPort, [
      ['/login', '=name=wavu', '=password=s3cret-pass'],
      ['/ip/hotspot/active/print', '.tag=a'],
      ['/quit'],
    ]);
    expect(out[0]).toEqual(['!done']);
    expect(out[1]).toEqual(['!empty', '.tag=a']);
    expect(out[2]).toEqual(['!done', '.tag=a']);
    expect(out[3]).toEqual(['!fatal', 'session terminated on request']);
    slow.setFault('slow', { slowMs: 5_000 });
    const c2 = await rawSession(slow.apiPort, [
      ['/login', '=name=wavu', '=password=s3cret-pass'],
      ['/ip/hotspot/user/print', '.tag=slow'],
      ['/cancel', '=tag=slow', '.tag=c'],
    ]);
    expect(c2).toContainEqual(['!trap', '=category=2', '=message=interrupted', '.tag=slow']);
    expect(c2).toContainEqual(['!done', '.tag=slow']);
    expect(c2).toContainEqual(['!done', '.tag=c']);
  });

  it('works over TLS (api-ssl) and pins the certificate', async () => {
    const key = readFileSync('test/fixtures/sim-router.key');
    const cert = readFileSync('test/fixtures/sim-router.crt');
    const t = await sim({ tls: { key, cert } });
    const probe = client(t, { port: t.tlsPort!, tls: true });
    await probe.exec('/system/identity/print');
    const fp = probe.peerFingerprint256!;
    expect(fp).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    const pinned = client(t, { port: t.tlsPort!, tls: { fingerprint256: fp } });
    expect((await pinned.exec('/system/identity/print')).rows).toHaveLength(1);
    const wrong = client(t, { port: t.tlsPort!, tls: { fingerprint256: 'AA'.repeat(32) } });
    await expect(wrong.exec('/system/identity/print')).rejects.toThrow(
      'does not match the pinned fingerprint',
    );
  });
});

describe('REST client against the REST façade', () => {
  it('does the same operations as the API client', async () => {
    const s = await sim();
    const r = new RouterOsRestClient({
      baseUrl: `http://127.0.0.1:${s.httpPort}`,
      username: 'wavu',
      password: 's3cret-pass',
    });
    clients.push(r);
    const { ret } = await r.exec('/ip/hotspot/user/add', {
      name: 'REST1',
      password: 'REST1',
      'limit-uptime': '30m',
    });
    expect(ret).toMatch(/^\*/);
    const rows = (
      await r.exec(
        '/ip/hotspot/user/print',
        {},
        { query: ['name=REST1'], proplist: ['name', 'limit-uptime'] },
      )
    ).rows;
    expect(rows).toEqual([{ name: 'REST1', 'limit-uptime': '30m' }]);
    expect((await r.exec('/ip/hotspot/user/print', { 'count-only': '' })).ret).toBe('2');
    await expect(r.exec('/ip/hotspot/user/add', { name: 'REST1' })).rejects.toThrow('already have user');
    await expect(r.exec('/ip/hotspot/user/frob')).rejects.toThrow('no such command or directory (frob)');
    // The HTTP verbs of the REST API map onto the same state.
    const one = await r.request('GET', `/rest/ip/hotspot/user/${encodeURIComponent(ret!)}`);
    expect(one.body).toMatchObject({ name: 'REST1', '.id': ret });
    const put = await r.request('PUT', '/rest/ip/hotspot/user', { name: 'REST2', password: 'x' });
    expect(put.status).toBe(201);
    const patched = await r.request('PATCH', '/rest/ip/hotspot/user/REST2', { comment: 'hi' });
    expect(patched.body).toMatchObject({ comment: 'hi' });
    expect((await r.request('DELETE', '/rest/ip/hotspot/user/REST2')).status).toBe(204);
    expect((await r.request('DELETE', '/rest/ip/hotspot/user/REST2')).status).toBe(404);
    await r.exec('/ip/hotspot/user/remove', { '.id': ret });
    const bad = new RouterOsRestClient({
      baseUrl: `http://127.0.0.1:${s.httpPort}`,
      username: 'wavu',
      password: 'no',
    });
    clients.push(bad);
    await expect(bad.exec('/system/identity/print')).rejects.toBeInstanceOf(RosLoginError);
    s.setFault('down');
    await expect(r.exec('/system/identity/print')).rejects.toBeInstanceOf(RosConnectionError);
    s.setFault('none');
  });
});
