/**
 * Open RouterOS connections, one per router per process, reused by every job on that router
 * (a login per grant would double the round trips to a router that is often far away). A change
 * of address, transport or credentials replaces the connection.
 */
import { RouterOsClient } from '../protocols/routeros/client.ts';
import { RouterOsRestClient } from '../protocols/routeros/rest.ts';
import type { RouterOsApi } from '../protocols/routeros/types.ts';
import type { Sealer } from '../lib/seal.ts';
import type { RouterRow } from './routers/row.ts';

export interface RouterConnections {
  api(router: RouterRow): RouterOsApi;
  /** Forget a router's connection (removed or changed). */
  drop(routerId: number): Promise<void>;
  closeAll(): Promise<void>;
}

export const DEFAULT_PORTS = { api: 8728, 'api-tls': 8729, rest: 443 } as const;

export function createRouterConnections(sealer: Sealer): RouterConnections {
  const open = new Map<number, { sig: string; api: RouterOsApi }>();
  return {
    api(router) {
      const sig = [
        dialHost(router),
        router.apiPort,
        router.apiTransport,
        router.username,
        router.passwordSealed,
        router.tlsFingerprint,
      ].join('|');
      const cur = open.get(router.id);
      if (cur?.sig === sig) return cur.api;
      if (cur) void cur.api.close();
      const api = buildClient(router, sealer);
      open.set(router.id, { sig, api });
      return api;
    },
    async drop(routerId) {
      const cur = open.get(routerId);
      open.delete(routerId);
      await cur?.api.close();
    },
    async closeAll() {
      const all = [...open.values()];
      open.clear();
      await Promise.all(all.map((c) => c.api.close()));
    },
  };
}

/**
 * Where Wavu opens the connection: a tunnelled router at its tunnel address (its own `host` may
 * be a private or changing address Wavu cannot reach), any other at its host.
 */
export function dialHost(router: Pick<RouterRow, 'host' | 'tunnel' | 'tunnelAddress'>): string | null {
  return router.tunnel === 'wireguard' ? router.tunnelAddress : router.host;
}

export function buildClient(router: RouterRow, sealer: Sealer, o: { timeoutMs?: number } = {}): RouterOsApi {
  const host = dialHost(router);
  if (!host || router.apiTransport === 'agent') {
    throw new Error(`router ${router.name} is not dialled by Wavu (no host, or an agent router)`);
  }
  const username = router.username ?? 'admin';
  const password = router.passwordSealed ? sealer.unseal(router.passwordSealed) : '';
  if (router.apiTransport === 'rest') {
    return new RouterOsRestClient({
      baseUrl: restBaseUrl(host, router.apiPort),
      username,
      password,
      fingerprint256: router.tlsFingerprint ?? undefined,
      ...(o.timeoutMs ? { timeoutMs: o.timeoutMs } : {}),
    });
  }
  return new RouterOsClient({
    host,
    port: router.apiPort ?? DEFAULT_PORTS[router.apiTransport === 'api-tls' ? 'api-tls' : 'api'],
    username,
    password,
    tls: router.apiTransport === 'api-tls' ? { fingerprint256: router.tlsFingerprint ?? undefined } : false,
    ...(o.timeoutMs ? { commandTimeoutMs: o.timeoutMs, connectTimeoutMs: o.timeoutMs } : {}),
  });
}

/** REST host may carry its scheme (`http://10.0.0.1`); bare hosts use HTTPS, as routers should. */
export function restBaseUrl(host: string, port: number | null): string {
  const withScheme = /^https?:\/\//.test(host) ? host : `https://${host}`;
  const u = new URL(withScheme);
  if (port) u.port = String(port);
  return u.origin;
}
