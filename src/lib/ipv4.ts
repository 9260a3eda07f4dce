/** IPv4 networks and host:port endpoints, as operators write them in the environment. */
import net from 'node:net';

export interface Subnet {
  /** The network address as a 32-bit number (host bits cleared). */
  network: number;
  prefix: number;
  /** As given, normalised: "10.250.0.0/24". */
  cidr: string;
}

const toInt = (ip: string) => ip.split('.').reduce((n, o) => n * 256 + Number(o), 0);
export const intToIp = (n: number) => [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');

/** "10.250.0.0/24" → Subnet; host bits given are cleared. /31 and /32 leave no room for peers. */
export function parseSubnet(s: string): Subnet | null {
  const [addr = '', prefix, extra] = s.trim().split('/');
  if (extra !== undefined || !net.isIPv4(addr) || !/^\d{1,2}$/.test(prefix ?? '')) return null;
  const p = Number(prefix);
  if (p < 8 || p > 30) return null;
  const size = 2 ** (32 - p);
  const network = Math.floor(toInt(addr) / size) * size;
  return { network, prefix: p, cidr: `${intToIp(network)}/${p}` };
}

/** The n-th address of the subnet (1 = first host); null past the last host (the broadcast). */
export function hostAt(subnet: Subnet, n: number): string | null {
  if (n < 1 || n >= 2 ** (32 - subnet.prefix) - 1) return null;
  return intToIp(subnet.network + n);
}

/** Which host number an address is in the subnet, or null when it is outside. */
export function hostIndex(subnet: Subnet, ip: string): number | null {
  if (!net.isIPv4(ip)) return null;
  const i = toInt(ip) - subnet.network;
  return i >= 0 && i < 2 ** (32 - subnet.prefix) ? i : null;
}

/** "vpn.example.com:51820", "203.0.113.5:51820", "[2001:db8::1]:51820" → host and port. */
export function parseEndpoint(s: string): { host: string; port: number } | null {
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(s.trim());
  if (!m) return null;
  const port = Number(m[3]);
  if (port < 1 || port > 65535) return null;
  const host = m[1] ?? m[2]!;
  if (m[1] && !net.isIPv6(host)) return null;
  return { host, port };
}
