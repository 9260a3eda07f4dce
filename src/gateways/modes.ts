/** The gateway modes this feature drives itself (MikroTik api, openNDS, UniFi); the wiring adds the RADIUS feature's one. */
import type { AdapterFactory, Deps, GatewayModes } from '../app/deps.ts';
import type { GatewayAdapter, RouterRow } from './adapter.ts';
import { AgentAdapter } from './agent/adapter.ts';
import { MikrotikApiAdapter } from './mikrotik/api-adapter.ts';
import { OpenNdsAdapter } from './opennds/adapter.ts';
import { UnifiAdapter } from './unifi/adapter.ts';

// MikroTik routers in api mode: dialled (direct or through a tunnel), or polling us as agents.
const api: AdapterFactory = (deps, router) =>
  router.apiTransport === 'agent'
    ? new AgentAdapter(deps, router)
    : new MikrotikApiAdapter(deps.routerConnections.api(router));

// openNDS routers pull from us (authmon, the deauth poller): the adapter only records what is wanted.
const opennds: AdapterFactory = (deps, router) => new OpenNdsAdapter(deps, router);

// UniFi sites: Wavu calls the controller (Integration API or the legacy one) to authorise guests.
const unifi: AdapterFactory = (deps, router) => new UnifiAdapter(deps, router);

export const gatewayModes = (): GatewayModes => ({ api, opennds, unifi });

export const hasGatewayMode = (deps: Deps, mode: RouterRow['mode']): boolean => !!deps.gatewayModes[mode];

export function adapterFor(deps: Deps, router: RouterRow): GatewayAdapter {
  const f = deps.gatewayModes[router.mode];
  if (!f) throw new Error(`no gateway adapter for mode ${router.mode}`);
  return f(deps, router);
}
