/** The RADIUS profile through the admin API: set on add and edit, unknown ones refused (400). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AdminHarness, adminHarness, inject, makeUser, sessionFor } from './helpers.ts';

let h: AdminHarness;
let owner: { cookie: string; csrf: string };

beforeAll(async () => {
  h = await adminHarness();
  owner = await sessionFor(h, (await makeUser(h, 'boss', 'owner')).id);
});
afterAll(() => h.stop());

const radius = (name: string, extra: Record<string, unknown>) => ({
  name,
  mode: 'radius',
  address: '10.20.0.1',
  nasIdentifier: name,
  ...extra,
});

describe('RADIUS profile on routers', () => {
  it('an unknown profile is a 400 naming the field, and nothing is added', async () => {
    const r = await inject(h, owner, 'POST', '/api/admin/routers', radius('bad-1', { profile: 'cisco' }));
    expect(r.statusCode).toBe(400);
    expect(r.json().error.message).toMatch(/profile.*mikrotik, pfsense or opnsense/);
    const list = await inject(h, owner, 'GET', '/api/admin/routers');
    expect(JSON.stringify(list.json())).not.toContain('bad-1');
  });

  it('mikrotik by default; pfsense when asked, with its revocation explained', async () => {
    const m = await inject(h, owner, 'POST', '/api/admin/routers', radius('mt-a', {}));
    expect(m.statusCode).toBe(201);
    expect(m.json().router.profile).toBe('mikrotik');
    const p = await inject(h, owner, 'POST', '/api/admin/routers', radius('pf-a', { profile: 'pfsense' }));
    expect(p.statusCode).toBe(201);
    expect(p.json().router.profile).toBe('pfsense');
    expect(p.json().router.revocation).toMatch(/re-authenticates connected users every minute/);
  });

  it('OPNsense API fields: only with profile opnsense, all together; the key and secret never come back', async () => {
    const api = {
      opnsenseUrl: 'https://192.168.1.1',
      opnsenseApiKey: 'k'.repeat(40),
      opnsenseApiSecret: 's'.repeat(60),
    };
    const wrong = await inject(
      h,
      owner,
      'POST',
      '/api/admin/routers',
      radius('opn-x', { profile: 'pfsense', ...api }),
    );
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().error.message).toMatch(/opnsenseUrl.*only for profile opnsense/);
    const half = await inject(
      h,
      owner,
      'POST',
      '/api/admin/routers',
      radius('opn-y', { profile: 'opnsense', opnsenseUrl: 'https://192.168.1.1' }),
    );
    expect(half.statusCode).toBe(400);
    expect(half.json().error.message).toMatch(/opnsenseApiKey/);
    const ok = await inject(
      h,
      owner,
      'POST',
      '/api/admin/routers',
      radius('opn-a', { profile: 'opnsense', ...api, opnsenseZone: 2 }),
    );
    expect(ok.statusCode).toBe(201);
    const v = ok.json().router;
    expect([v.profile, v.opnsenseUrl, v.opnsenseZone]).toEqual(['opnsense', 'https://192.168.1.1', 2]);
    expect(JSON.stringify(ok.json())).not.toContain('k'.repeat(40));
    expect(v.warnings).toEqual([]);
    // Leaving the OPNsense profile forgets its API; back on it without a key, the page warns.
    const pf = await inject(h, owner, 'PATCH', `/api/admin/routers/${v.id}`, { profile: 'pfsense' });
    expect(pf.statusCode, pf.body).toBe(200);
    expect([pf.json().profile, pf.json().opnsenseUrl, pf.json().opnsenseZone]).toEqual([
      'pfsense',
      null,
      null,
    ]);
    const back = await inject(h, owner, 'PATCH', `/api/admin/routers/${v.id}`, { profile: 'opnsense' });
    const view = back.json();
    expect(view.warnings.join(' ')).toMatch(/No OPNsense API key/);
    const badPatch = await inject(h, owner, 'PATCH', `/api/admin/routers/${v.id}`, { profile: 'juniper' });
    expect(badPatch.statusCode).toBe(400);
  });
});
