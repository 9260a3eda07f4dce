/** The RADIUS block of `wavu routers script` for a radius-mode router. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Deps } from '../../src/app/deps.ts';
import { addRouter } from '../../src/gateways/index.ts';
import { routerById } from '../../src/gateways/routers/repo.ts';
import { setupScript } from '../../src/gateways/setup-script.ts';
import { ManualClock } from '../../src/lib/clock.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { makeDeps } from './helpers.ts';
import { SYSTEM } from '../../src/audit/index.ts';

let t: TestDatabase;
let deps: Deps;
beforeAll(async () => {
  t = await createTestDatabase();
  deps = makeDeps(t, new ManualClock());
});
afterAll(async () => {
  await t.drop();
});

describe('setup script, radius mode', () => {
  it('names the router, points RADIUS at Wavu and lets only Wavu send Disconnect/CoA', async () => {
    const { router } = await addRouter(
      deps,
      {
        mode: 'radius',
        name: 'cafe-7',
        address: '198.51.100.20',
        secret: 'a-long-shared-secret-0001',
        coaPort: 3799,
      },
      { actor: SYSTEM },
    );
    const row = (await routerById(deps.db, router.id))!;
    const withIp = setupScript({
      router: row,
      publicUrl: 'https://wifi.example.com',
      radiusSecret: 'a-long-shared-secret-0001',
      radiusAddress: '203.0.113.5',
      radiusPorts: { auth: 1812, acct: 1813 },
      now: new Date('2026-01-01T00:00:00Z'),
    });
    expect(withIp).toContain('/system identity set name="cafe-7"');
    expect(withIp).toContain(
      '/radius add service=hotspot address=203.0.113.5 secret="a-long-shared-secret-0001" authentication-port=1812 accounting-port=1813 timeout=3s comment="Wavu"',
    );
    expect(withIp).toContain('/radius incoming set accept=yes port=3799');
    expect(withIp).toContain(
      ':do { /ip firewall filter add chain=input protocol=udp dst-port=3799 src-address=203.0.113.5 action=accept comment="Wavu RADIUS disconnect" place-before=0 } on-error={',
    );
    expect(withIp).toContain('use-radius=yes radius-accounting=yes');
    // Without an address the router resolves the portal's host name itself, on every line.
    const byName = setupScript({
      router: row,
      publicUrl: 'https://wifi.example.com',
      radiusSecret: 'x',
      now: new Date('2026-01-01T00:00:00Z'),
    });
    expect(byName).toContain('address=[:resolve "wifi.example.com"] secret=');
    expect(byName).toContain('src-address=[:resolve "wifi.example.com"] action=accept');
    expect(byName).not.toMatch(/\$wavuIp|:local/);
  });
});
