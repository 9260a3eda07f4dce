import type { Module } from '../app/module.ts';
import { registerGatewayMode } from './adapter.ts';
import { gatewayJobs, gatewayRecurring } from './jobs.ts';
import { AgentAdapter } from './agent/adapter.ts';
import { agentRoutes } from './agent/routes.ts';
import { closeAgentWaiters } from './agent/wakeup.ts';
import { MikrotikApiAdapter } from './mikrotik/api-adapter.ts';
import { OpenNdsAdapter } from './opennds/adapter.ts';
import { openndsRoutes } from './opennds/routes.ts';
import { UnifiAdapter } from './unifi/adapter.ts';
import { unifiRoutes } from './unifi/routes.ts';
import { sessionJobs, sessionRecurring } from './sessions/jobs.ts';

// MikroTik routers in api mode (dialled, or polling us as agents); the RADIUS feature registers
// 'radius' the same way.
registerGatewayMode('api', (deps, router) =>
  router.apiTransport === 'agent'
    ? new AgentAdapter(deps, router)
    : new MikrotikApiAdapter(deps.routerConnections.api(router)),
);
// openNDS routers pull from us (authmon, the deauth poller): the adapter only records what is wanted.
registerGatewayMode('opennds', (deps, router) => new OpenNdsAdapter(deps, router));
// UniFi sites: Wavu calls the controller (Integration API or the legacy one) to authorise guests.
registerGatewayMode('unifi', (deps, router) => new UnifiAdapter(deps, router));

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
