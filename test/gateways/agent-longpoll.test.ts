/**
 * RouterOS 7 agents hold their poll open (fetch idle-timeout): a grant queued on any node wakes
 * the held request through NOTIFY and reaches the router in about one round trip.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterEach, expect, it, vi } from 'vitest';
import { issueForPurchase } from '../../src/access/issue-for-purchase.ts';
import { createApp } from '../../src/app/run.ts';
import { query } from '../../src/db/open.ts';
import { gatewaysModule } from '../../src/gateways/module.ts';
import { silentLog, testConfig } from '../helpers/app.ts';
import { onPostgres } from '../helpers/db.ts';
import { type AgentHarness, agentHarness } from './agent-helpers.ts';

vi.setConfig({ testTimeout: 120_000 });
let h: AgentHarness;
afterEach(async () => {
  await h?.close();
});

it(`a grant queued on ${onPostgres() ? 'another node' : 'this node'} answers the held poll at once`, async () => {
  h = await agentHarness({ routeros: 7 });
  // Another node on the same database (PostgreSQL); on PGlite there is only one.
  const other = onPostgres()
    ? await createApp({
        config: testConfig(),
        roles: [],
        log: silentLog(),
        database: await h.t.openAnother(),
        clock: h.clock,
        modules: [gatewaysModule],
      })
    : h.app;
  void h.poll(); // the agent's run: it polls and is held (nothing to do yet)
  const held = Date.now();
  const polled = async () =>
    (
      await query<{ at: unknown }>(
        h.app.deps.db,
        sql`SELECT agent_polled_at AS at FROM routers WHERE id = ${h.routerId}`,
      )
    )[0]?.at;
  while (!(await polled()) && Date.now() - held < 20_000) await new Promise((res) => setTimeout(res, 20));
  await new Promise((res) => setTimeout(res, 200)); // the poll is now waiting in the server
  const t0 = performance.now();
  const { accessCodeId, code } = await other.deps.db.transaction((tx) =>
    issueForPurchase(tx, other.deps, {
      purchaseId: randomUUID(),
      planId: 1,
      phone: null,
      mac: 'A4:00:00:00:00:01',
      routerId: h.routerId,
      purpose: 'access',
    }),
  );
  while (
    !h.agent.router.list('/ip/hotspot/user').some((u) => u.name === code) &&
    performance.now() - t0 < 10_000
  ) {
    await new Promise((res) => setTimeout(res, 10));
  }
  const reached = performance.now() - t0;
  // Well under the 5 s re-check: the NOTIFY woke it.
  expect(reached).toBeLessThan(2_000);
  while ((await h.grantStatus(accessCodeId)) !== 'granted' && performance.now() - t0 < 10_000) {
    await new Promise((res) => setTimeout(res, 20));
  }
  expect(await h.grantStatus(accessCodeId)).toBe('granted');
  expect(h.agent.refused).toEqual([]);
  if (other !== h.app) await other.stop();
});
