/**
 * Wavu serving HTTP on an ephemeral port, an agent router added to it, and the simulated router
 * running the agent script Wavu generates. Polls happen when a test calls `poll()` (one
 * scheduler run), so every step is deterministic; time is a ManualClock for both sides.
 */
import { randomUUID } from 'node:crypto';
import { SYSTEM } from '../../src/audit/index.ts';
import { sql } from 'drizzle-orm';
import { issueForPurchase } from '../../src/access/issue-for-purchase.ts';
import { type App, createApp } from '../../src/app/run.ts';
import { query } from '../../src/db/open.ts';
import { agentInstallScript, type RouterOsMajor } from '../../src/gateways/agent/script.ts';
import { gatewaysModule } from '../../src/gateways/module.ts';
import { addRouter } from '../../src/gateways/index.ts';
import type { Worker } from '../../src/jobs/worker.ts';
import { ManualClock } from '../../src/lib/clock.ts';
import { SimAgent, type SimAgentOptions } from '../../src/sim/routeros/agent.ts';
import { SimRouter } from '../../src/sim/routeros/router.ts';
import { silentLog, testConfig } from '../helpers/app.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { gatewayWorker } from './helpers.ts';

export interface AgentHarness {
  t: TestDatabase;
  app: App;
  clock: ManualClock;
  routerId: number;
  token: string;
  install: string;
  agent: SimAgent;
  worker: Worker;
  drain(): Promise<number>;
  /** One scheduler run of the agent (a full poll loop). */
  poll(): Promise<void>;
  /** Power back on: a new simulated router from the same flash (state file). */
  reboot(o?: Partial<SimAgentOptions>): Promise<SimAgent>;
  issue(o?: { mac?: string | null }): Promise<{ accessCodeId: string; code: string }>;
  commands(): Promise<{ id: number; kind: string; status: string; result: string | null }[]>;
  grantStatus(accessCodeId: string): Promise<string | null>;
  close(): Promise<void>;
}

export async function agentHarness(
  o: {
    routeros?: RouterOsMajor;
    version?: string;
    agent?: Partial<SimAgentOptions>;
    log?: import('pino').Logger;
    modules?: import('../../src/app/module.ts').Module[];
  } = {},
): Promise<AgentHarness> {
  const clock = new ManualClock('2026-03-02T08:00:00Z');
  const t = await createTestDatabase();
  const app = await createApp({
    config: testConfig(),
    roles: ['serve'],
    log: o.log ?? silentLog(),
    database: t.database,
    clock,
    modules: o.modules ?? [gatewaysModule],
  });
  const { router, generated } = await addRouter(
    app.deps,
    {
      mode: 'api',
      name: 'cgnat-1',
      transport: 'agent',
    },
    { actor: SYSTEM },
  );
  const token = generated.agentToken!;
  const routeros = o.routeros ?? 6;
  const install = agentInstallScript({
    routerName: router.name,
    pollUrl: `${app.url}/agent/v1/poll`,
    token,
    routeros,
  });
  const version = o.version ?? (routeros === 7 ? '7.19.4' : '6.49.10');
  const newAgent = async (extra: Partial<SimAgentOptions> = {}) => {
    const sim = new SimRouter({ version, now: () => clock.now().getTime() });
    return new SimAgent({ router: sim, delayScale: 0, ...o.agent, ...extra });
  };
  let agent = await newAgent();
  await agent.runScript(install);
  const worker = gatewayWorker(app, t, clock);
  const h: AgentHarness = {
    t,
    app,
    clock,
    routerId: router.id,
    token,
    install,
    get agent() {
      return agent;
    },
    worker,
    drain: () => worker.drain(),
    poll: () => agent.tick(),
    async reboot(extra = {}) {
      agent = await newAgent(extra);
      return agent;
    },
    async issue({ mac = 'A4:00:00:00:00:01' } = {}) {
      return app.deps.db.transaction((tx) =>
        issueForPurchase(tx, app.deps, {
          purchaseId: randomUUID(),
          planId: 1,
          phone: null,
          mac,
          routerId: router.id,
          purpose: 'access',
        }),
      );
    },
    async commands() {
      const rows = await query<{ id: number; kind: string; status: string; result: string | null }>(
        app.deps.db,
        sql`SELECT id, kind, status, result FROM agent_commands WHERE router_id = ${router.id} ORDER BY id`,
      );
      return rows.map((r) => ({ ...r, id: Number(r.id) }));
    },
    async grantStatus(id) {
      const [g] = await query<{ status: string }>(
        app.deps.db,
        sql`SELECT status FROM access_grants WHERE access_code_id = ${id} AND router_id = ${router.id}`,
      );
      return g?.status ?? null;
    },
    async close() {
      await agent.stop();
      await app.stop();
      await t.drop();
    },
  };
  return h;
}
