/**
 * Demo mode: a simulated MikroTik runs inside the app, registered as router `demo-router`, so
 * `npm start` has a working router. Its API listens on a local ephemeral port; its hotspot login
 * pages are served at /sim/hotspot (a browser "joins the WiFi" at /sim/hotspot/login and is sent
 * to the portal by Wavu's own login.html). State is in memory: after a restart the router is
 * empty, and Wavu's reconcile puts every live code back, as it would after a real reset.
 */
import { sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../app/deps.ts';
import type { Module } from '../../app/module.ts';
import { query } from '../../db/open.ts';
import { loginHtml, RECONCILE_ROUTER_JOB } from '../../gateways/index.ts';
import { randomToken } from '../../lib/random.ts';
import { handleHotspot } from './http.ts';
import { type FaultMode, type RouterOsSim, startRouterOsSim } from './index.ts';

export const DEMO_ROUTER = 'demo-router';
let current: RouterOsSim | null = null;

/** The running demo router (tests and the sim routes). */
export const demoRouterSim = () => current;

export async function startDemoRouter(deps: Deps): Promise<RouterOsSim> {
  const password = randomToken(18);
  const sim = await startRouterOsSim({
    identity: DEMO_ROUTER,
    users: [{ name: 'wavu', password }],
    httpPort: false,
    loginHtml: () => loginHtml({ publicUrl: deps.config.publicUrl, routerName: DEMO_ROUTER }),
  });
  const now = deps.clock.now();
  const sealed = deps.sealer.seal(password);
  // The port changes every start: point the demo router at this run's simulator.
  const rows = await query<{ id: number }>(
    deps.db,
    sql`INSERT INTO routers (name, mode, site, host, api_transport, api_port, username, password_sealed, hotspot_server,
                             status, created_at, updated_at)
        VALUES (${DEMO_ROUTER}, 'api', 'Demo (simulated MikroTik)', '127.0.0.1', 'api', ${sim.apiPort}, 'wavu', ${sealed},
                'hotspot1', 'unknown', ${now}, ${now})
        ON CONFLICT (name) DO UPDATE SET mode = 'api', host = '127.0.0.1', api_transport = 'api',
          api_port = EXCLUDED.api_port, username = 'wavu', password_sealed = EXCLUDED.password_sealed,
          enabled = true, status = 'unknown', tls_fingerprint = NULL, updated_at = EXCLUDED.updated_at
        RETURNING id`,
  );
  await deps.enqueue(
    deps.db,
    RECONCILE_ROUTER_JOB,
    { routerId: Number(rows[0]!.id), why: 'demo-start' },
    { key: `reconcile:${rows[0]!.id}:demo-start:${now.getTime()}` },
  );
  current = sim;
  return sim;
}

function routes(app: FastifyInstance, deps: Deps): void {
  app.register(
    async (scope) => {
      // Hotspot login posts are HTML forms; parse them here only (scoped to this plugin).
      scope.addContentTypeParser(
        'application/x-www-form-urlencoded',
        { parseAs: 'string' },
        (_req, body, done) => {
          done(null, Object.fromEntries(new URLSearchParams(body as string)));
        },
      );
      scope.all('/hotspot/*', async (req, reply) => {
        if (!current) return reply.code(503).send('The demo router is not running.');
        const path = req.url.split('?')[0]!.replace(/^\/sim\/hotspot/, '');
        const res = handleHotspot(
          current.router,
          {
            method: req.method,
            path,
            query: req.query as Record<string, string>,
            body: req.body ?? {},
            headers: req.headers as Record<string, string | undefined>,
          },
          {
            basePath: '/sim/hotspot',
            loginHtml: () => loginHtml({ publicUrl: deps.config.publicUrl, routerName: DEMO_ROUTER }),
          },
        );
        return reply.code(res.status).headers(res.headers).send(res.body);
      });
      scope.get('/routeros', async () => {
        if (!current) return { running: false };
        return {
          running: true,
          apiPort: current.apiPort,
          fault: current.fault,
          identity: current.router.identity,
          users: current.router.list('/ip/hotspot/user').filter((u) => u.dynamic !== 'true'),
          active: current.router.list('/ip/hotspot/active'),
        };
      });
      scope.post('/routeros/fault', async (req, reply) => {
        const mode = String((req.body as { mode?: string } | undefined)?.mode ?? '') as FaultMode;
        if (!current)
          return reply
            .code(503)
            .send({ error: { code: 'unavailable', message: 'The demo router is not running.' } });
        if (!['none', 'down', 'slow', 'reboot', 'reset'].includes(mode)) {
          return reply.code(400).send({
            error: { code: 'validation', message: 'mode must be none, down, slow, reboot or reset' },
          });
        }
        current.setFault(mode);
        return { fault: current.fault };
      });
    },
    { prefix: '/sim' },
  );
}

export const routerosSimModule: Module = {
  name: 'sim-routeros',
  demoOnly: true,
  routes,
  services: [
    {
      roles: ['serve', 'worker'],
      async start(deps) {
        const sim = await startDemoRouter(deps);
        deps.log.info({ apiPort: sim.apiPort }, 'demo MikroTik router simulator running');
        return async () => {
          if (current === sim) current = null;
          await sim.stop();
        };
      },
    },
  ],
};
