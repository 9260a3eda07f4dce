/** Data access for the routers table (the registry). Sealed columns never leave this layer as plain text. */
import { eq, sql } from 'drizzle-orm';
import { type Conn, query } from '../../db/open.ts';
import { routers } from '../../db/schema.ts';
import type { RouterHealth, RouterRow } from '../adapter.ts';
import { allowFromWarning } from './allow-from.ts';
import { routerProblem } from './problem.ts';

/** Shown for a radius router whose CoA port Wavu cannot reach (marked by the radius adapter). */
export const COA_UNREACHABLE_WARNING =
  "Wavu can't reach this router's CoA port — it is probably behind NAT; sessions end by Session-Timeout.";

/** Shown for a radius router let off the Message-Authenticator requirement. */
export const MESSAGE_AUTH_WARNING =
  'Accepts Access-Requests without Message-Authenticator: a forged reply (BlastRADIUS) could let someone online. Only for gateways that cannot send it.';

/** Shown for an OPNsense router without API credentials. */
export const OPNSENSE_NO_API_WARNING =
  "No OPNsense API key: Wavu can't end sessions there, so a revoked code stays online until its Session-Timeout (the time it had left). Add an API key to end them at once.";

/** How revocation reaches a radius router's live sessions, per profile. */
export function revocationText(r: Pick<RouterRow, 'radiusProfile' | 'opnsenseUrl'>): string {
  if (r.radiusProfile === 'pfsense')
    return 'pfSense re-authenticates connected users every minute (set that in its captive portal): a revoked or expired code is refused then, and the user is logged out.';
  if (r.radiusProfile === 'opnsense')
    return r.opnsenseUrl
      ? "Wavu ends the session through OPNsense's captive-portal API at once."
      : 'Only by Session-Timeout: without an API key the session runs until the time it had left.';
  return 'Wavu sends a Disconnect-Request to the router at once (CoA port); behind NAT, Session-Timeout ends it.';
}

export async function routerById(conn: Conn, id: number): Promise<RouterRow | null> {
  const [r] = await conn.select().from(routers).where(eq(routers.id, id));
  return r ?? null;
}

export async function routerByName(conn: Conn, name: string): Promise<RouterRow | null> {
  const [r] = await conn.select().from(routers).where(eq(routers.name, name));
  return r ?? null;
}

export async function allRouters(conn: Conn): Promise<RouterRow[]> {
  return conn.select().from(routers).orderBy(routers.name);
}

/** What people and the admin API may see of a router: no sealed secrets. */
export interface RouterView {
  id: number;
  name: string;
  mode: 'api' | 'radius' | 'opennds' | 'unifi';
  /** UniFi mode: the controller, the site (as in /guest/s/<site>/) and the API Wavu uses. */
  unifiUrl: string | null;
  unifiSite: string | null;
  unifiApi: 'integration' | 'unifi-os' | 'classic' | null;
  /** openNDS mode: FAS level (3: authmon pulls; 1: token redirect) and its gateway name. */
  openndsLevel: number | null;
  openndsGatewayName: string | null;
  site: string | null;
  host: string | null;
  port: number | null;
  transport: 'api' | 'api-tls' | 'rest' | 'agent';
  /** 'wireguard': reached over a tunnel at tunnelAddress (the server end is `wavu wireguard server-config`). */
  tunnel: 'wireguard' | null;
  tunnelAddress: string | null;
  wgPublicKey: string | null;
  username: string | null;
  hotspotServer: string | null;
  nasIdentifier: string | null;
  nasAddress: string | null;
  /** Where else it may send RADIUS from ("10.8.0.0/24,…" or "any"); null: only nasAddress. */
  allowFrom: string | null;
  coaPort: number;
  tlsFingerprint: string | null;
  enabled: boolean;
  status: 'unknown' | 'up' | 'down';
  lastSeenAt: Date | null;
  /** The raw error, for the server's own operator (CLI, logs). */
  lastError: string | null;
  /** The same, in plain words (routers/problem.ts). */
  problem: string | null;
  lastReconciledAt: Date | null;
  health: RouterHealth | null;
  /** Radius mode: since when Wavu can't reach its CoA port (NAT); null when it can, or is not known not to. */
  coaUnreachableSince: Date | null;
  /** Radius mode: whether Access-Requests must carry a Message-Authenticator. */
  messageAuth: 'required' | 'allow-without';
  /** Radius mode: whose attributes it is sent (mikrotik, pfsense, opnsense). */
  profile: 'mikrotik' | 'pfsense' | 'opnsense';
  /** OPNsense profile: its API (where Wavu ends sessions) and zone; null without a key. */
  opnsenseUrl: string | null;
  opnsenseZone: number | null;
  /** How a revoked code's sessions end on this router, in plain words (radius mode). */
  revocation: string | null;
  /** Plain-language problems: risky configuration (RADIUS from any address), CoA port unreachable. */
  warnings: string[];
}

export function toView(r: RouterRow): RouterView {
  return {
    id: r.id,
    name: r.name,
    mode: r.mode,
    openndsLevel: r.openndsLevel,
    openndsGatewayName: r.openndsGatewayName,
    unifiUrl: r.unifiUrl,
    unifiSite: r.unifiSite,
    unifiApi: r.unifiApi,
    site: r.site,
    host: r.host,
    port: r.apiPort,
    transport: r.apiTransport,
    tunnel: r.tunnel,
    tunnelAddress: r.tunnelAddress,
    wgPublicKey: r.wgPublicKey,
    username: r.username,
    hotspotServer: r.hotspotServer,
    nasIdentifier: r.nasIdentifier,
    nasAddress: r.nasAddress,
    allowFrom: r.radiusAllowFrom,
    coaPort: r.coaPort,
    tlsFingerprint: r.tlsFingerprint,
    enabled: r.enabled,
    status: r.status,
    lastSeenAt: r.lastSeenAt,
    lastError: r.lastError,
    problem: routerProblem(r, r.lastError),
    lastReconciledAt: r.lastReconciledAt,
    health: (r.health as RouterHealth | null) ?? null,
    coaUnreachableSince: r.coaUnreachableSince,
    messageAuth: r.radiusRequireMessageAuth ? 'required' : 'allow-without',
    profile: r.radiusProfile,
    opnsenseUrl: r.opnsenseUrl,
    opnsenseZone: r.opnsenseZoneId,
    revocation: r.mode === 'radius' ? revocationText(r) : null,
    warnings: [
      allowFromWarning(r),
      r.coaUnreachableSince ? COA_UNREACHABLE_WARNING : null,
      r.mode === 'radius' && !r.radiusRequireMessageAuth ? MESSAGE_AUTH_WARNING : null,
      r.mode === 'radius' && r.radiusProfile === 'opnsense' && !r.opnsenseUrl
        ? OPNSENSE_NO_API_WARNING
        : null,
    ].filter((w): w is string => w !== null),
  };
}

/**
 * Store a health check. Returns what changed, so the caller can reconcile a router that has just
 * come back (was down/unknown) or rebooted (its uptime went backwards: live sessions are gone).
 */
export async function recordHealth(
  conn: Conn,
  routerId: number,
  h: RouterHealth,
  now: Date,
): Promise<{ cameUp: boolean; rebooted: boolean }> {
  const [prev] = await query<{ status: string; health: RouterHealth | string | null }>(
    conn,
    sql`SELECT status, health FROM routers WHERE id = ${routerId}`,
  );
  const prevHealth =
    typeof prev?.health === 'string' ? (JSON.parse(prev.health) as RouterHealth) : prev?.health;
  if (h.ok) {
    await conn.execute(
      sql`UPDATE routers SET status = 'up', last_seen_at = ${now}, last_error = NULL,
             health = ${JSON.stringify({ ...h, checkedAt: now.toISOString() })}::jsonb
          WHERE id = ${routerId}`,
    );
  } else {
    // Keep the last good facts (version, identity) and add the failure.
    await conn.execute(
      sql`UPDATE routers SET status = 'down', last_error = ${(h.error ?? 'unreachable').slice(0, 500)},
             health = ${JSON.stringify({ ...(prevHealth ?? {}), ok: false, error: h.error, checkedAt: now.toISOString() })}::jsonb
          WHERE id = ${routerId}`,
    );
  }
  const cameUp = h.ok && prev?.status !== 'up';
  const rebooted =
    h.ok &&
    prevHealth?.uptimeSeconds !== undefined &&
    h.uptimeSeconds !== undefined &&
    h.uptimeSeconds < prevHealth.uptimeSeconds;
  return { cameUp, rebooted };
}

export async function markDown(conn: Conn, routerId: number, error: string): Promise<void> {
  await conn.execute(
    sql`UPDATE routers SET status = 'down', last_error = ${error.slice(0, 500)} WHERE id = ${routerId}`,
  );
}

/** Clear the router's last error when it is one that starts with `prefix` (that problem is over). */
export async function clearError(conn: Conn, routerId: number, prefix: string): Promise<void> {
  await conn.execute(
    sql`UPDATE routers SET last_error = NULL WHERE id = ${routerId} AND starts_with(last_error, ${prefix})`,
  );
}

export async function markSeen(conn: Conn, routerId: number, now: Date): Promise<boolean> {
  const rows = await query<{ was: string }>(
    conn,
    sql`UPDATE routers r SET status = 'up', last_seen_at = ${now}, last_error = NULL
        FROM (SELECT id, status AS was FROM routers WHERE id = ${routerId}) old
        WHERE r.id = old.id RETURNING old.was`,
  );
  return rows[0]?.was !== 'up';
}
