/**
 * THE allow/deny test: every admin route called as every role and as nobody, checked against
 * this table (written out here on purpose, independent of src/admin/policy.ts). A route added
 * to the app without a row here fails the coverage check.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminRoutes } from '../../src/admin/admin-routes.ts';
import { routeKey } from '../../src/admin/http/register.ts';
import { type AdminHarness, adminHarness, inject, makeUser, PASSWORD, sessionFor } from './helpers.ts';

type Who = 'owner' | 'admin' | 'cashier' | 'viewer' | 'anon';
const WHO: Who[] = ['owner', 'admin', 'cashier', 'viewer', 'anon'];

//                                                   owner admin cashier viewer anon
const A = (o: 0 | 1, a: 0 | 1, c: 0 | 1, v: 0 | 1, n: 0 | 1) => ({
  owner: o,
  admin: a,
  cashier: c,
  viewer: v,
  anon: n,
});
const PUBLIC = A(1, 1, 1, 1, 1);
const SIGNED_IN = A(1, 1, 1, 1, 0);
const ALL = A(1, 1, 1, 1, 0);
const SALES = A(1, 1, 1, 0, 0);
const MANAGE = A(1, 1, 0, 0, 0);
const OWNER = A(1, 0, 0, 0, 0);

const EXPECT: Record<string, ReturnType<typeof A>> = {
  'GET /api/admin/setup': PUBLIC,
  'POST /api/admin/setup': PUBLIC,
  'POST /api/admin/login': PUBLIC,
  'POST /api/admin/logout': SIGNED_IN,
  'GET /api/admin/me': SIGNED_IN,
  'POST /api/admin/me/password': SIGNED_IN,
  'GET /api/admin/dashboard': ALL,
  'GET /api/admin/plans': ALL,
  'POST /api/admin/plans': MANAGE,
  'PATCH /api/admin/plans/:id': MANAGE,
  'DELETE /api/admin/plans/:id': MANAGE,
  'GET /api/admin/purchases': ALL,
  'GET /api/admin/purchases/:id': ALL,
  'POST /api/admin/purchases/:id/retry-grant': SALES,
  'POST /api/admin/purchases/:id/resend-code': SALES,
  'POST /api/admin/purchases/cash': SALES,
  'GET /api/admin/codes': ALL,
  'GET /api/admin/codes/:id': ALL,
  'POST /api/admin/codes/:id/revoke': MANAGE,
  'GET /api/admin/vouchers/batches': ALL,
  'POST /api/admin/vouchers/batches': SALES,
  'POST /api/admin/vouchers/import': MANAGE,
  'GET /api/admin/vouchers/stock': ALL,
  'POST /api/admin/vouchers/sell-cash': SALES,
  'GET /api/admin/vouchers/batches/:id/print': SALES,
  'GET /api/admin/vouchers/batches/:id/print.pdf': SALES,
  'GET /api/admin/vouchers/batches/:id/print.escpos': SALES,
  'GET /api/admin/codes/:id/print': SALES,
  'GET /api/admin/codes/:id/print.escpos': SALES,
  'GET /api/admin/vouchers/batches/:id/export.csv': MANAGE,
  'POST /api/admin/vouchers/batches/:id/disable': MANAGE,
  'PATCH /api/admin/vouchers/batches/:id': MANAGE,
  'DELETE /api/admin/vouchers/batches/:id': MANAGE,
  'GET /api/admin/sessions': ALL,
  'POST /api/admin/sessions/:id/disconnect': MANAGE,
  'GET /api/admin/customers': ALL,
  'GET /api/admin/customers/:id': ALL,
  'PUT /api/admin/customers/:id/reminders': SALES,
  'GET /api/admin/routers': ALL,
  'POST /api/admin/routers': MANAGE,
  'PATCH /api/admin/routers/:id': MANAGE,
  'DELETE /api/admin/routers/:id': MANAGE,
  'POST /api/admin/routers/:id/test': MANAGE,
  'GET /api/admin/routers/:id/script': MANAGE,
  'GET /api/admin/settings': MANAGE,
  'PUT /api/admin/settings/mpesa': OWNER,
  'PUT /api/admin/settings/sms': OWNER,
  'PUT /api/admin/settings/ppp': OWNER,
  'POST /api/admin/settings/mpesa/pull': OWNER,
  'POST /api/admin/settings/mpesa/test': OWNER,
  'POST /api/admin/settings/mpesa/register-urls': OWNER,
  'POST /api/admin/settings/sms/test': OWNER,
  'PUT /api/admin/settings/branding': MANAGE,
  'GET /api/admin/settings/voucher-template': MANAGE,
  'PUT /api/admin/settings/voucher-template': MANAGE,
  'POST /api/admin/settings/voucher-template/preview': MANAGE,
  'GET /api/admin/staff': OWNER,
  'POST /api/admin/staff': OWNER,
  'PATCH /api/admin/staff/:id': OWNER,
  'GET /api/admin/audit': MANAGE,
  'GET /api/admin/troubleshoot': SALES,
  'POST /api/admin/codes/:id/extend': SALES,
  'POST /api/admin/codes/:id/free-device': SALES,
  'GET /api/admin/reports/reconciliation': MANAGE,
  'POST /api/admin/reports/reconciliation/fix': MANAGE,
  'GET /api/admin/alerts': MANAGE,
  'PUT /api/admin/settings/alerts': OWNER,
  'GET /api/admin/exports/purchases.csv': MANAGE,
  'GET /api/admin/exports/customers.csv': MANAGE,
  'GET /api/admin/payment-accounts': MANAGE,
  'POST /api/admin/payment-accounts': OWNER,
  'PATCH /api/admin/payment-accounts/:id': OWNER,
  'POST /api/admin/payment-accounts/:id/test': OWNER,
  'POST /api/admin/payment-accounts/:id/register-urls': OWNER,
  'POST /api/admin/payment-accounts/:id/pull': OWNER,
  'GET /api/admin/subscribers': ALL,
  'POST /api/admin/subscribers': SALES,
  'POST /api/admin/subscribers/import': MANAGE,
  'GET /api/admin/subscribers/report': MANAGE,
  'GET /api/admin/subscribers/:id': ALL,
  'PATCH /api/admin/subscribers/:id': SALES,
  'POST /api/admin/subscribers/:id/suspend': MANAGE,
  'POST /api/admin/subscribers/:id/resume': MANAGE,
  'POST /api/admin/subscribers/:id/close': MANAGE,
  'POST /api/admin/subscribers/:id/resend': MANAGE,
  'GET /api/admin/subscribers/:id/plan-change': ALL,
  'POST /api/admin/subscribers/:id/plan': MANAGE,
  'GET /api/admin/service-plans': ALL,
  'POST /api/admin/service-plans': MANAGE,
  'PATCH /api/admin/service-plans/:id': MANAGE,
  'DELETE /api/admin/service-plans/:id': MANAGE,
  'GET /api/admin/first-run': MANAGE,
  'POST /api/admin/first-run': OWNER,
};

/** Concrete URLs: ids that do not exist (404 after the checks is still "allowed"). */
const MISSING_UUID = '00000000-0000-4000-8000-000000000000';
const url = (path: string) =>
  path.replace(':id', /plans|routers|staff|customers|payment-accounts/.test(path) ? '999999' : MISSING_UUID);

let h: AdminHarness;
const users: Record<string, number> = {};
beforeAll(async () => {
  h = await adminHarness();
  for (const role of ['owner', 'admin', 'cashier', 'viewer'] as const)
    users[role] = (await makeUser(h, role, role)).id;
});
afterAll(() => h.stop());

describe('admin access matrix', () => {
  it('the table covers exactly the routes the server has', () => {
    expect(adminRoutes.map(routeKey).sort()).toEqual(Object.keys(EXPECT).sort());
  });

  for (const [key, expected] of Object.entries(EXPECT)) {
    it(`${key}`, async () => {
      const [method, path] = key.split(' ') as [string, string];
      for (const who of WHO) {
        // A fresh session per call: logout and password changes must not leak into the next call.
        const s = who === 'anon' ? null : await sessionFor(h, users[who]!);
        const res = await inject(h, s, method, url(path), method === 'GET' ? undefined : {});
        const allowed = expected[who] === 1;
        const got = `${who}: ${res.statusCode}`;
        if (allowed) {
          expect([401, 403], got).not.toContain(res.statusCode);
          expect(res.statusCode, `${got} ${res.body.slice(0, 200)}`).toBeLessThan(500);
        } else {
          expect(res.statusCode, got).toBe(who === 'anon' ? 401 : 403);
          expect(res.json().error.code).toBe(who === 'anon' ? 'unauthorized' : 'forbidden');
        }
      }
    });
  }

  it('every change without the CSRF token (or with a wrong one) is refused with 403', async () => {
    const owner = await sessionFor(h, users.owner!);
    for (const [key, expected] of Object.entries(EXPECT)) {
      const [method, path] = key.split(' ') as [string, string];
      if (method === 'GET' || expected.anon === 1) continue;
      // The last case differs from the real token in its last character only.
      const nearMiss = owner.csrf.slice(0, -1) + (owner.csrf.endsWith('x') ? 'y' : 'x');
      for (const csrf of [null, 'wrong-token', nearMiss]) {
        const res = await inject(h, owner, method, url(path), {}, { csrf });
        expect(res.statusCode, `${key} csrf=${csrf}`).toBe(403);
        expect(res.json().error.code).toBe('csrf');
      }
    }
  });

  it('/me and sign-in tell each role exactly the routes this table allows it, for the dashboard', async () => {
    for (const role of ['owner', 'admin', 'cashier', 'viewer'] as const) {
      const allowed = Object.entries(EXPECT)
        .filter(([, e]) => e[role] === 1)
        .map(([k]) => k)
        .sort();
      const me = await inject(h, await sessionFor(h, users[role]!), 'GET', '/api/admin/me');
      expect(me.statusCode).toBe(200);
      expect([...me.json().permissions].sort(), role).toEqual(allowed);
      const login = await inject(h, null, 'POST', '/api/admin/login', { username: role, password: PASSWORD });
      expect(login.statusCode).toBe(200);
      expect([...login.json().permissions].sort(), role).toEqual(allowed);
    }
  });

  it("a session's CSRF token does not work with another session", async () => {
    const a = await sessionFor(h, users.owner!);
    const b = await sessionFor(h, users.owner!);
    const res = await inject(h, a, 'POST', '/api/admin/plans', {}, { csrf: b.csrf });
    expect(res.statusCode).toBe(403);
  });

  it('public changes accept only JSON (a cross-site form cannot post them)', async () => {
    const res = await h.app.server!.inject({
      method: 'POST',
      url: '/api/admin/login',
      headers: { 'content-type': 'text/plain' },
      payload: 'username=owner&password=x',
    });
    expect(res.statusCode).toBe(400);
  });
});
