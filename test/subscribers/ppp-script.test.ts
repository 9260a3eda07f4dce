/** `wavu routers script NAME --ppp`: the PPPoE part of a MikroTik setup script, and the setting it follows. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Deps } from '../../src/app/deps.ts';
import { SYSTEM } from '../../src/audit/index.ts';
import { addRouter, findRouter } from '../../src/gateways/index.ts';
import { routerScript } from '../../src/gateways/routers/router-script.ts';
import { ManualClock } from '../../src/lib/clock.ts';
import { putSetting } from '../../src/settings/index.ts';
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

describe('setup script for PPPoE subscribers', () => {
  it('radius mode: PPP through the RADIUS entry, PPP accounting, the expired pool sent to the pay page', async () => {
    await addRouter(
      deps,
      { mode: 'radius', name: 'isp-1', address: '198.51.100.30', secret: 'a-long-shared-secret-0002' },
      { actor: SYSTEM },
    );
    const router = await findRouter(deps, 'isp-1');
    const plain = await routerScript(deps, router, { radiusAddress: '203.0.113.5' });
    expect(plain).toContain('/radius add service=hotspot address=203.0.113.5');
    expect(plain).not.toContain('/ppp aaa');

    const s = await routerScript(deps, router, { radiusAddress: '203.0.113.5', ppp: true });
    expect(s).toContain('/radius add service=hotspot,ppp address=203.0.113.5');
    expect(s).toContain('/ppp aaa set use-radius=yes accounting=yes interim-update=5m');
    expect(s).toContain(
      ':if ([:len [/ip pool find name="wavu-expired"]] = 0) do={ /ip pool add name="wavu-expired" ranges=10.99.0.10-10.99.0.250 comment="Wavu" }',
    );
    // The pool reaches Wavu and DNS, nothing else: the three rules end up in this order.
    const accept = s.indexOf('dst-address=203.0.113.5 action=accept');
    const dns = s.indexOf('dst-port=53 action=accept');
    const drop = s.indexOf('src-address-list=wavu-expired action=drop');
    expect(drop).toBeGreaterThan(0);
    expect(drop).toBeLessThan(dns);
    expect(dns).toBeLessThan(accept);
    // Web traffic (except to Wavu) goes to the proxy port, which answers with the pay page.
    expect(s).toContain(
      '/ip firewall nat add chain=dstnat src-address-list=wavu-expired dst-address=!203.0.113.5 protocol=tcp dst-port=80 action=redirect to-ports=8118',
    );
    expect(s).toContain(`redirect-to="${new URL(deps.config.publicUrl).origin}/pay"`);
    expect(s).toContain('dst-port=8118 src-address-list=!wavu-expired action=drop');
    // An api-mode profile is not needed: RADIUS names the pool in Framed-Pool.
    expect(s).not.toContain('/ppp profile add');
  });

  it('api mode: the expired profile too; the pool is the one the setting names', async () => {
    await putSetting(deps.db, new Date(), 'ppp_expired_pool', 'unpaid');
    await addRouter(deps, { mode: 'api', name: 'isp-2', host: '192.0.2.7' }, { actor: SYSTEM });
    const s = await routerScript(deps, await findRouter(deps, 'isp-2'), { ppp: true });
    expect(s).not.toContain('/ppp aaa');
    expect(s).toContain('/ip pool add name="unpaid"');
    expect(s).toContain(
      ':if ([:len [/ppp profile find name="unpaid"]] = 0) do={ /ppp profile add name="unpaid" local-address=10.99.0.1 remote-address="unpaid" comment="Wavu" }',
    );
    expect(s).not.toContain('wavu-expired"');
  });
});
