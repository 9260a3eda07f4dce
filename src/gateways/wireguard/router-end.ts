/** What a tunnelled router's setup script needs: its own key and address, and where the server is. */
import type { Deps } from '../../app/deps.ts';
import type { RouterRow } from '../adapter.ts';
import { serverKeyPair } from './server-key.ts';
import { serverAddress } from './tunnel.ts';

export interface WireguardRouterEnd {
  privateKey: string;
  address: string;
  prefix: number;
  serverPublicKey: string;
  serverAddress: string;
  endpointHost: string;
  endpointPort: number;
}

export async function routerTunnelEnd(
  deps: Deps,
  router: RouterRow,
): Promise<WireguardRouterEnd | undefined> {
  if (router.tunnel !== 'wireguard' || !router.wgPrivateKeySealed || !router.tunnelAddress) return undefined;
  const server = await serverKeyPair(deps);
  const { subnet, endpoint } = deps.config.wireguard;
  return {
    privateKey: deps.sealer.unseal(router.wgPrivateKeySealed),
    address: router.tunnelAddress,
    prefix: subnet.prefix,
    serverPublicKey: server.publicKey,
    serverAddress: serverAddress(subnet),
    endpointHost: endpoint.host,
    endpointPort: endpoint.port,
  };
}
