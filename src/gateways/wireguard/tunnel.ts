/**
 * A router's end of a tunnel: its key pair (private key sealed) and the lowest free address of the
 * pool. Choosing the address reads what is taken, so two routers added at once can choose the
 * same one; the unique constraint refuses the second insert, and addRouter chooses again.
 */
import { isNotNull } from 'drizzle-orm';
import type { Deps } from '../../app/deps.ts';
import type { Conn } from '../../db/open.ts';
import { routers } from '../../db/schema.ts';
import { AppError } from '../../lib/errors.ts';
import { hostAt, hostIndex, type Subnet } from '../../lib/ipv4.ts';
import { generateKeyPair } from './keys.ts';

export const TUNNEL_ADDRESS_TAKEN = 'routers_tunnel_address_key';

/** The server's address in the pool: always the first host (.1 of 10.250.0.0/24). */
export const serverAddress = (subnet: Subnet) => hostAt(subnet, 1)!;

export async function newTunnelEnd(
  deps: Pick<Deps, 'sealer' | 'config'>,
  conn: Conn,
): Promise<{ tunnel: 'wireguard'; tunnelAddress: string; wgPrivateKeySealed: string; wgPublicKey: string }> {
  const subnet = deps.config.wireguard.subnet;
  const taken = new Set(
    (await conn.select({ a: routers.tunnelAddress }).from(routers).where(isNotNull(routers.tunnelAddress)))
      .map((r) => hostIndex(subnet, r.a!))
      .filter((i) => i !== null),
  );
  let n = 2;
  while (taken.has(n)) n++;
  const tunnelAddress = hostAt(subnet, n);
  if (!tunnelAddress) {
    throw new AppError(
      'conflict',
      `The WireGuard address pool ${subnet.cidr} is full. Set WIREGUARD_SUBNET to a larger network (existing routers keep their addresses).`,
    );
  }
  const k = generateKeyPair();
  return {
    tunnel: 'wireguard',
    tunnelAddress,
    wgPrivateKeySealed: deps.sealer.seal(k.privateKey),
    wgPublicKey: k.publicKey,
  };
}
