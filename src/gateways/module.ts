import type { Module } from '../app/module.ts';
import { gatewayJobs, gatewayRecurring } from './jobs.ts';
import { agentRoutes } from './agent/routes.ts';
import { closeAgentWaiters } from './agent/wakeup.ts';
import { openndsRoutes } from './opennds/routes.ts';
import { unifiRoutes } from './unifi/routes.ts';
import { sessionJobs, sessionRecurring } from './sessions/jobs.ts';

export const gatewaysModule: Module = {
  name: 'gateways',
  jobs: (deps) => [...gatewayJobs(deps), ...sessionJobs(deps)],
  recurring: (deps) => [...gatewayRecurring(), ...sessionRecurring(deps)],
  routes: (app, deps) => {
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
