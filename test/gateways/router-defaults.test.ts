/**
 * New routers are encrypted by default, the setup script lets only Wavu use the API service,
 * and a loopback PUBLIC_URL (the demo's) is called out before it ends up in a walled garden.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Deps } from '../../src/app/deps.ts';
import { SYSTEM } from '../../src/audit/index.ts';
import { publicUrlWarning } from '../../src/gateways/index.ts';
import { addRouter } from '../../src/gateways/index.ts';
import { routerById } from '../../src/gateways/routers/repo.ts';
import { setupScript } from '../../src/gateways/setup-script.ts';
import { ManualClock } from '../../src/lib/clock.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { makeDeps } from '../radius/helpers.ts';

let t: TestDatabase;
let deps: Deps;
beforeAll(async () => {
  t = await createTestDatabase();
  deps = makeDeps(t, new ManualClock());
});
afterAll(async () => {
  await t.drop();
});

const now = new Date('2026-01-01T00:00:00Z');

describe('new api-mode routers', () => {
  it('use the API over TLS unless told otherwise', async () => {
    const { router } = await addRouter(
      deps,
      { mode: 'api', name: 'tls-by-default', host: '192.0.2.10', password: 'a-router-password-1' },
      { actor: SYSTEM },
    );
    const row = (await routerById(deps.db, router.id))!;
    expect(row.apiTransport).toBe('api-tls');
    const script = setupScript({ router: row, publicUrl: 'https://wifi.example.com', apiPassword: 'p', now });
    expect(script).toContain(
      '/ip service set api-ssl certificate=wavu-api disabled=no address=[:resolve "wifi.example.com"]',
    );
    expect(script).not.toContain('/ip service set api disabled=no');
  });

  it("limit the API service to Wavu's address, and say so when PUBLIC_URL is loopback", async () => {
    const { router } = await addRouter(
      deps,
      {
        mode: 'api',
        name: 'plain-api',
        host: '192.0.2.11',
        transport: 'api',
        password: 'a-router-password-2',
      },
      { actor: SYSTEM },
    );
    const row = (await routerById(deps.db, router.id))!;
    const byIp = setupScript({ router: row, publicUrl: 'http://203.0.113.7:3000', apiPassword: 'p', now });
    expect(byIp).toContain('/ip service set api disabled=no address=203.0.113.7\n');
    const demo = setupScript({ router: row, publicUrl: 'http://localhost:3000', apiPassword: 'p', now });
    expect(demo).toContain('/ip service set api disabled=no\n');
    expect(demo).toContain("PUBLIC_URL (http://localhost:3000) is this machine's loopback address");
  });
});

describe('publicUrlWarning', () => {
  it('warns about loopback addresses only', () => {
    for (const u of [
      'http://localhost:3000',
      'http://127.0.0.1:3000',
      'http://[::1]:3000',
      'http://app.localhost',
    ])
      expect(publicUrlWarning(u)).toMatch(/only this computer can reach/);
    for (const u of ['https://wifi.example.com', 'http://10.0.0.5:3000', 'http://127x.example.com'])
      expect(publicUrlWarning(u)).toBeNull();
  });
});
