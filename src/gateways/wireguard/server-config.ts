/**
 * `wavu wireguard server-config`: the server end as a wg-quick file, every tunnelled router a
 * peer. Routers dial in (they sit behind NAT), so peers have no Endpoint; each may send only from
 * its own tunnel address (AllowedIPs /32), so one router cannot pose as another.
 */
import { asc, eq } from 'drizzle-orm';
import type { Deps } from '../../app/deps.ts';
import { routers } from '../../db/schema.ts';
import { serverKeyPair } from './server-key.ts';
import { serverAddress } from './tunnel.ts';

export interface ServerPeer {
  name: string;
  publicKey: string;
  address: string;
}

export function renderServerConfig(o: {
  privateKey: string;
  address: string;
  prefix: number;
  listenPort: number;
  peers: ServerPeer[];
  now: Date;
}): string {
  const lines = [
    `# Wavu WireGuard server, generated ${o.now.toISOString()}. It holds the private key: keep it private.`,
    '# Install: save as /etc/wireguard/wavu.conf (mode 600), then: wg-quick up wavu',
    '# After adding a router: regenerate it, then: wg syncconf wavu <(wg-quick strip wavu)',
    '[Interface]',
    `Address = ${o.address}/${o.prefix}`,
    `ListenPort = ${o.listenPort}`,
    `PrivateKey = ${o.privateKey}`,
  ];
  for (const p of o.peers) {
    lines.push(
      '',
      `# router ${p.name}`,
      '[Peer]',
      `PublicKey = ${p.publicKey}`,
      `AllowedIPs = ${p.address}/32`,
    );
  }
  return `${lines.join('\n')}\n`;
}

export async function serverConfig(deps: Deps): Promise<string> {
  const key = await serverKeyPair(deps);
  const peers = await deps.db
    .select({ name: routers.name, publicKey: routers.wgPublicKey, address: routers.tunnelAddress })
    .from(routers)
    .where(eq(routers.tunnel, 'wireguard'))
    .orderBy(asc(routers.id));
  const { subnet, listenPort } = deps.config.wireguard;
  return renderServerConfig({
    privateKey: key.privateKey,
    address: serverAddress(subnet),
    prefix: subnet.prefix,
    listenPort,
    peers: peers.map((p) => ({ name: p.name, publicKey: p.publicKey!, address: p.address! })),
    now: deps.clock.now(),
  });
}
