/** Routers with their health as last recorded by the gateways feature, and live session counts. */
import { sql } from 'drizzle-orm';
import type { Deps } from '../../app/deps.ts';
import { asDate, query } from '../../db/open.ts';
import { allowFromWarning } from '../../gateways/index.ts';
import { OPNSENSE_NO_API_WARNING, revocationText, routerProblem } from '../../gateways/index.ts';

export interface RouterWithHealth {
  id: number;
  name: string;
  mode: string;
  site: string | null;
  host: string | null;
  apiTransport: string;
  apiPort: number | null;
  /** 'wireguard': Wavu reaches it over a tunnel, at tunnelAddress. */
  tunnel: string | null;
  tunnelAddress: string | null;
  username: string | null;
  hotspotServer: string | null;
  nasIdentifier: string | null;
  nasAddress: string | null;
  /** Other addresses/networks it may send RADIUS from, or "any"; null: only nasAddress. */
  allowFrom: string | null;
  enabled: boolean;
  status: string;
  lastSeenAt: string | null;
  /** What is wrong, in plain words (never the raw connection error). */
  problem: string | null;
  health: unknown;
  passwordSet: boolean;
  radiusSecretSet: boolean;
  /** Live sessions; `staleSessions` of them as last known while the router cannot be reached. */
  activeSessions: number;
  staleSessions: number;
  /** Radius mode: whose attributes it gets, and (OPNsense) its captive-portal API. */
  profile: string;
  opnsenseUrl: string | null;
  opnsenseZone: number | null;
  opnsenseApiSet: boolean;
  /** Radius mode: how a revoked code's sessions end there, in plain words. */
  revocation: string | null;
  /** Risky settings to show next to the router (RADIUS from any address, OPNsense without a key). */
  warnings: string[];
}

export async function listRoutersWithHealth(deps: Deps): Promise<RouterWithHealth[]> {
  const rows = await query<Record<string, any>>(
    deps.db,
    sql`SELECT r.*, a.active, a.stale FROM routers r
        LEFT JOIN LATERAL (
          SELECT count(*)::int AS active, count(*) FILTER (WHERE s.stale_since IS NOT NULL)::int AS stale
          FROM sessions s WHERE s.router_id = r.id AND s.status = 'active') a ON true
        ORDER BY r.name`,
  );
  return rows.map((r) => {
    const problem = routerProblem(
      {
        name: r.name,
        mode: r.mode,
        host: r.host,
        apiPort: r.api_port,
        apiTransport: r.api_transport,
        username: r.username,
        tunnel: r.tunnel,
        tunnelAddress: r.tunnel_address,
      },
      r.last_error,
    );
    const health = typeof r.health === 'string' ? JSON.parse(r.health) : r.health;
    // The health check keeps its raw error too; staff see the same plain sentence there.
    if (health?.error) health.error = problem;
    return {
      id: r.id,
      name: r.name,
      mode: r.mode,
      site: r.site,
      host: r.host,
      apiTransport: r.api_transport,
      apiPort: r.api_port,
      tunnel: r.tunnel ?? null,
      tunnelAddress: r.tunnel_address ?? null,
      username: r.username,
      hotspotServer: r.hotspot_server,
      nasIdentifier: r.nas_identifier,
      nasAddress: r.nas_address,
      allowFrom: r.radius_allow_from,
      enabled: r.enabled,
      status: r.status,
      lastSeenAt: r.last_seen_at ? asDate(r.last_seen_at).toISOString() : null,
      problem,
      health,
      passwordSet: !!r.password_sealed,
      radiusSecretSet: !!r.radius_secret_sealed,
      activeSessions: Number(r.active ?? 0),
      staleSessions: Number(r.stale ?? 0),
      profile: r.radius_profile,
      opnsenseUrl: r.opnsense_url ?? null,
      opnsenseZone: r.opnsense_zone_id ?? null,
      opnsenseApiSet: !!r.opnsense_api_key_sealed,
      revocation:
        r.mode === 'radius'
          ? revocationText({ radiusProfile: r.radius_profile, opnsenseUrl: r.opnsense_url })
          : null,
      warnings: [
        allowFromWarning({ mode: r.mode, name: r.name, radiusAllowFrom: r.radius_allow_from }),
        r.mode === 'radius' && r.radius_profile === 'opnsense' && !r.opnsense_url
          ? OPNSENSE_NO_API_WARNING
          : null,
      ].filter((w): w is string => w !== null),
    };
  });
}
