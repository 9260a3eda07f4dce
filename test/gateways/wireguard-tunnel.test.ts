/**
 * A router Wavu reaches only through a WireGuard tunnel it configured: userspace wireguard-go at
 * both ends, the router in a network namespace of its own, every key, address and port taken from
 * what Wavu printed (its wg-quick file and the router's RouterOS script).
 */
import { execFileSync } from 'node:child_process';
import { SYSTEM } from '../../src/audit/index.ts';
import net from 'node:net';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueForPurchase } from '../../src/access/issue-for-purchase.ts';
import { revokeCode } from '../../src/access/revoke.ts';
import { type App, createApp } from '../../src/app/run.ts';
import { gatewayJobs } from '../../src/gateways/jobs.ts';
import { gatewaysModule } from '../../src/gateways/module.ts';
import { addRouter, findRouter, testRouter, updateRouter } from '../../src/gateways/index.ts';
import { routerScript } from '../../src/gateways/routers/router-script.ts';
import { serverConfig } from '../../src/gateways/wireguard/server-config.ts';
import { Worker } from '../../src/jobs/worker.ts';
import { ManualClock } from '../../src/lib/clock.ts';
import { RouterOsClient } from '../../src/protocols/routeros/client.ts';
import { silentLog, testConfig } from '../helpers/app.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import {
  type RouterEnd,
  type SimRouter,
  startWireguardLab,
  type WireguardLab,
  wireguardLabMissing,
} from '../helpers/wireguard-lab.ts';
import { accessExpireJob } from './helpers.ts';

const missing = wireguardLabMissing();

describe.skipIf(missing !== null)(
  `WireGuard router managed over the tunnel${missing ? ` (skipped: ${missing})` : ''}`,
  () => {
    const clock = new ManualClock('2026-03-02T08:00:00Z');
    let lab: WireguardLab;
    let t: TestDatabase;
    let app: App;
    let worker: Worker;
    let end: RouterEnd;
    let sim: SimRouter;
    let routerId: number;

    /** The simulator's own view of its hotspot users, asked over the tunnel. */
    const hotspotUsers = async () => {
      const c = new RouterOsClient({
        host: end.address,
        port: sim.apiPort,
        username: end.user,
        password: end.password,
      });
      try {
        return (await c.exec('/ip/hotspot/user/print')).rows.filter((u) => u.comment?.startsWith('wavu:'));
      } finally {
        await c.close();
      }
    };

    beforeAll(async () => {
      lab = await startWireguardLab();
      t = await createTestDatabase();
      app = await createApp({
        config: testConfig({
          WIREGUARD_SUBNET: lab.subnet,
          WIREGUARD_ENDPOINT: lab.endpoint,
          WIREGUARD_LISTEN_PORT: String(lab.listenPort),
        }),
        roles: [],
        log: silentLog(),
        database: t.database,
        clock,
        modules: [gatewaysModule],
      });
      worker = new Worker({
        database: t.database,
        clock,
        log: silentLog(),
        definitions: [...gatewayJobs(app.deps), accessExpireJob(app)],
        concurrency: 2,
      });
    }, 60_000);

    afterAll(async () => {
      await app?.stop();
      await app?.deps.routerConnections.closeAll();
      await t?.drop();
      lab?.close();
    });

    it('the router end comes up from the printed script, answering only on its tunnel address', async () => {
      const { router } = await addRouter(
        app.deps,
        { mode: 'api', name: 'wg-1', tunnel: 'wireguard' },
        { actor: SYSTEM },
      );
      routerId = router.id;
      expect(router.tunnelAddress).toBe(lab.subnet.replace(/0\/24$/, '2'));
      end = await lab.startRouterEnd(await routerScript(app.deps, await findRouter(app.deps, routerId)));
      expect(end.address).toBe(router.tunnelAddress);
      sim = await lab.startSim({ host: end.address, user: end.user, password: end.password });
      await updateRouter(app.deps, routerId, { port: sim.apiPort }, { actor: SYSTEM });
      // Nothing listens on the router's other address: only the tunnel leads to the API.
      await expect(connect(lab.routerUnderlay, sim.apiPort)).rejects.toThrow(/ECONNREFUSED/);
    }, 60_000);

    it('cannot reach the router until the server end has it as a peer', async () => {
      const before = await testRouter(app.deps, 'wg-1', { timeoutMs: 1_500 });
      expect(before.health.ok).toBe(false);
      expect(before.hint).toMatch(/WireGuard tunnel/);
      expect(lab.lastHandshake()).toBe(0);

      lab.applyServerConfig(await serverConfig(app.deps));
      // The first handshake and the API login ride on two userspace wireguard-go processes: on a
      // busy machine that takes seconds, so the one connection attempt gets room (not a speed check).
      const after = await testRouter(app.deps, 'wg-1', { timeoutMs: 15_000 });
      expect(after.health).toMatchObject({ ok: true, identity: 'MikroTik' });
      expect(lab.lastHandshake()).toBeGreaterThan(0);
    }, 30_000);

    it('grants a code, which the router then holds, and revokes it, all through the tunnel', async () => {
      const issued = await app.deps.db.transaction((tx) =>
        issueForPurchase(tx, app.deps, {
          purchaseId: randomUUID(),
          planId: 1,
          phone: null,
          mac: 'A4:00:00:00:00:01',
          routerId,
          purpose: 'access',
        }),
      );
      await worker.drain();
      const users = await hotspotUsers();
      expect(users.map((u) => [u.name, u.comment])).toEqual([[issued.code, `wavu:${issued.accessCodeId}`]]);
      expect((await findRouter(app.deps, routerId)).status).toBe('up');

      await revokeCode(app.deps, { accessCodeId: issued.accessCodeId, actor: SYSTEM });
      await worker.drain();
      expect(await hotspotUsers()).toEqual([]);
    }, 30_000);
  },
);

describe.skipIf(missing !== null)('the WireGuard lab itself', () => {
  it('leaves no namespace, interface or process behind when a step fails', async () => {
    const lab = await startWireguardLab();
    const { ns, interfaces } = lab.names;
    try {
      await expect(lab.startRouterEnd('# not a Wavu script')).rejects.toThrow(/no line starting/);
    } finally {
      lab.close();
    }
    expect(execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })).not.toContain(ns);
    const links = execFileSync('ip', ['-o', 'link'], { encoding: 'utf8' });
    for (const i of interfaces) expect(links).not.toContain(`${i}:`);
  }, 30_000);
});

/** Open a TCP connection and close it again; rejects with the error the connect gave. */
function connect(host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host, port, timeout: 3_000 });
    s.once('connect', () => {
      s.destroy();
      resolve();
    });
    s.once('timeout', () => {
      s.destroy();
      reject(new Error('timed out'));
    });
    s.once('error', reject);
  });
}
