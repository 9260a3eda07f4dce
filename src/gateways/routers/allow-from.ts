/**
 * Where a radius-mode router may send RADIUS from (`routers.radius_allow_from`). Its own
 * `nas_address` always; besides that, nothing (NULL, the default), a list of addresses and
 * networks ("10.8.0.0/24,198.51.100.7"), or `any`. A known NAS-Identifier and the right secret
 * are not enough on their own: a secret leaks more easily than a network path can be forged, so
 * `any` is a deliberate choice (a router behind CGNAT) that Wavu warns about.
 */
import net from 'node:net';

export const ANY = 'any';

/** Operator input ("10.8.0.0/24, 198.51.100.7", "any", "" or "none") → the stored form. */
export function parseAllowFrom(
  input: string,
): { ok: true; value: string | null } | { ok: false; error: string } {
  const s = input.trim().toLowerCase();
  if (s === '' || s === 'none') return { ok: true, value: null };
  if (s === ANY) return { ok: true, value: ANY };
  const out: string[] = [];
  for (const part of s.split(/[\s,]+/).filter(Boolean)) {
    if (part === ANY) return { ok: false, error: '"any" cannot be combined with addresses' };
    const [addr = '', prefix, extra] = part.split('/');
    const family = net.isIP(addr);
    const max = family === 4 ? 32 : 128;
    if (!family || extra !== undefined)
      return { ok: false, error: `"${part}" is not an IP address or network (e.g. 10.8.0.0/24)` };
    if (prefix !== undefined && !(/^\d{1,3}$/.test(prefix) && Number(prefix) <= max))
      return { ok: false, error: `"${part}": the prefix length must be 0–${max}` };
    out.push(prefix === undefined ? addr : `${addr}/${Number(prefix)}`);
  }
  return { ok: true, value: [...new Set(out)].join(',') };
}

export interface SourceRule {
  /** Set to `any`: every address. */
  any: boolean;
  /** The router's own address or one listed for it. */
  listed(address: string): boolean;
}

/** The rule for a router: its own address, plus what `radius_allow_from` adds. */
export function sourceRule(nasAddress: string | null, allowFrom: string | null): SourceRule {
  const list = new net.BlockList();
  if (nasAddress && net.isIP(nasAddress)) list.addAddress(nasAddress, family(nasAddress));
  const any = allowFrom?.trim().toLowerCase() === ANY;
  if (allowFrom && !any) {
    for (const part of allowFrom.split(',')) {
      const [addr = '', prefix] = part.trim().split('/');
      if (!net.isIP(addr)) continue;
      if (prefix === undefined) list.addAddress(addr, family(addr));
      else list.addSubnet(addr, Number(prefix), family(addr));
    }
  }
  return { any, listed: (address) => net.isIP(address) !== 0 && list.check(address, family(address)) };
}

const family = (a: string) => (net.isIPv6(a) ? 'ipv6' : 'ipv4');

/** Shown by `wavu routers` and the admin next to a router that takes RADIUS from anywhere. */
export function allowFromWarning(r: {
  mode: string;
  name: string;
  radiusAllowFrom?: string | null;
}): string | null {
  if (r.mode !== 'radius' || r.radiusAllowFrom !== ANY) return null;
  return `${r.name} accepts RADIUS from any address: its NAS-Identifier and secret are all that protect it. Restrict it with: wavu routers update ${r.name} --allow-from NETWORK`;
}
