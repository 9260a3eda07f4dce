import type { Module } from '../app/module.ts';
import { gatewayJobs, gatewayRecurring } from './jobs.ts';
import { closeAgentWaiters } from './agent/wakeup.ts';
import { sessionJobs, sessionRecurring } from './sessions/jobs.ts';

export const gatewaysModule: Module = {
  name: 'gateways',
  jobs: (deps) => [...gatewayJobs(deps), ...sessionJobs(deps)],
  recurring: (deps) => [...gatewayRecurring(), ...sessionRecurring(deps)],
  // Imported by the HTTP role only; every role runs the jobs' and the service's code.
  routes: async (app, deps) => {
    const [{ agentRoutes }, { openndsRoutes }, { unifiRoutes }] = await Promise.all([
      import('./agent/routes.ts'),
      import('./opennds/routes.ts'),
      import('./unifi/routes.ts'),
    ]);
    agentRoutes(app, deps);
    openndsRoutes(app, deps);
    unifiRoutes(app, deps);
  },
  services: [
    {
      roles: ['serve', 'worker', 'radius'],
      // Nothing to start (connections open on first use); close them on shutdown.
      start: async (deps) => async () => {
        await closeAgentWaiters(deps.database);
        await deps.routerConnections.closeAll();
      },
    },
  ],
};
