/**
 * The gateway adapter for routers in radius mode. Such a router asks us at every login, so there
 * is nothing to push on grant; taking access away means telling the NAS to end live sessions with
 * a Disconnect-Request (RFC 5176) on its CoA port, using what its accounting told us about them.
 */
import { sql } from 'drizzle-orm';
import type { Deps } from '../app/deps.ts';
import { asDate, query } from '../db/open.ts';
import { attr, ERROR_CAUSE, type RadiusAttribute, RadiusCode } from '../protocols/radius/index.ts';
import { type DynamicResult, sendDynamicRequest } from './coa-client.ts';

export interface RadiusRouter {
  id: number;
  name: string;
  host: string | null;
  nasAddress: string | null;
  coaPort: number;
  radiusSecretSealed: string | null;
}

export interface RadiusSession {
  id: string;
  accessCodeId: string | null;
  acctSessionId: string | null;
  username: string | null;
  mac: string | null;
  ip: string | null;
  startedAt: Date;
  updatedAt: Date;
}

export interface AdapterHealth {
  ok: boolean;
  detail: string;
  lastSeenAt: Date | null;
  activeSessions: number;
}

interface SessionRow {
  id: string;
  access_code_id: string | null;
  acct_session_id: string | null;
  username: string | null;
  mac: string | null;
  ip: string | null;
  started_at: unknown;
  updated_at: unknown;
}

const toSession = (r: SessionRow): RadiusSession => ({
  id: r.id,
  accessCodeId: r.access_code_id,
  acctSessionId: r.acct_session_id,
  username: r.username,
  mac: r.mac,
  ip: r.ip,
  startedAt: asDate(r.started_at),
  updatedAt: asDate(r.updated_at),
});

/** A router unheard of for this long is reported as not seen recently (idle NASes send nothing). */
const HEALTH_WINDOW_MS = 30 * 60_000;

export class RadiusGatewayAdapter {
  readonly kind = 'radius' as const;

  constructor(
    private readonly deps: Deps,
    private readonly router: RadiusRouter,
    private readonly opts: { timeoutMs?: number; retries?: number } = {},
  ) {}

  /** Nothing to push: the NAS asks us (Access-Request) when the device logs in. */
  async grant(_access: { accessCodeId: string }): Promise<void> {}

  /** End every live session of the code on this router. Throws (job retries) if any NAS call failed. */
  async revoke(accessCodeId: string): Promise<{ disconnected: number }> {
    const rows = await query<SessionRow>(
      this.deps.db,
      sql`SELECT id, access_code_id, acct_session_id, username, mac, ip, started_at, updated_at FROM sessions
          WHERE router_id = ${this.router.id} AND access_code_id = ${accessCodeId} AND status = 'active'`,
    );
    const failures: string[] = [];
    for (const r of rows) {
      try {
        await this.disconnect(toSession(r));
      } catch (e) {
        failures.push((e as Error).message);
      }
    }
    if (failures.length)
      throw new Error(
        `${failures.length} of ${rows.length} sessions not disconnected on ${this.router.name}: ${failures[0]}`,
      );
    return { disconnected: rows.length };
  }

  async listActive(): Promise<RadiusSession[]> {
    const rows = await query<SessionRow>(
      this.deps.db,
      sql`SELECT id, access_code_id, acct_session_id, username, mac, ip, started_at, updated_at FROM sessions
          WHERE router_id = ${this.router.id} AND status = 'active' ORDER BY started_at`,
    );
    return rows.map(toSession);
  }

  /**
   * Disconnect-Request for one session, identified the way MikroTik hotspot needs it: User-Name,
   * Acct-Session-Id and Framed-IP-Address. ACK, or NAK "session not found", closes our row.
   */
  async disconnect(session: RadiusSession | { id: string }): Promise<DynamicResult> {
    const s = 'acctSessionId' in session ? session : await this.loadSession(session.id);
    const result = await this.send(RadiusCode.DisconnectRequest, identify(s));
    const gone = !result.ack && result.errorCause === ERROR_CAUSE['Session-Context-Not-Found'];
    if (result.ack || gone) {
      const now = this.deps.clock.now();
      await this.deps.db.execute(
        sql`UPDATE sessions SET status = 'closed', stopped_at = COALESCE(stopped_at, ${now}), updated_at = ${now},
                   terminate_cause = COALESCE(terminate_cause, 'Admin-Reset')
            WHERE id = ${s.id} AND status = 'active'`,
      );
      return result;
    }
    throw new Error(
      `${this.router.name} refused the Disconnect-Request (Error-Cause ${result.errorCause ?? 'none'})`,
    );
  }

  /** CoA-Request for one session (new Session-Timeout, rate…); true when the NAS acknowledged. */
  async changeAuthorization(session: RadiusSession, attributes: RadiusAttribute[]): Promise<boolean> {
    return (await this.send(RadiusCode.CoaRequest, [...identify(session), ...attributes])).ack;
  }

  async health(): Promise<AdapterHealth> {
    const [r] = await query<{ last_seen_at: unknown; active: number }>(
      this.deps.db,
      sql`SELECT r.last_seen_at,
                 (SELECT count(*)::int FROM sessions s WHERE s.router_id = r.id AND s.status = 'active') AS active
          FROM routers r WHERE r.id = ${this.router.id}`,
    );
    const lastSeenAt = r?.last_seen_at ? asDate(r.last_seen_at) : null;
    const recent =
      lastSeenAt !== null && this.deps.clock.now().getTime() - lastSeenAt.getTime() < HEALTH_WINDOW_MS;
    return {
      ok: recent,
      detail: lastSeenAt
        ? `last RADIUS request ${lastSeenAt.toISOString()}${recent ? '' : ' (not recently)'}`
        : 'no RADIUS request received yet',
      lastSeenAt,
      activeSessions: Number(r?.active ?? 0),
    };
  }

  private async loadSession(id: string): Promise<RadiusSession> {
    const [r] = await query<SessionRow>(
      this.deps.db,
      sql`SELECT id, access_code_id, acct_session_id, username, mac, ip, started_at, updated_at FROM sessions
          WHERE id = ${id} AND router_id = ${this.router.id}`,
    );
    if (!r) throw new Error(`session ${id} not found on ${this.router.name}`);
    return toSession(r);
  }

  private send(
    code: typeof RadiusCode.DisconnectRequest | typeof RadiusCode.CoaRequest,
    attributes: RadiusAttribute[],
  ) {
    const host = this.router.host ?? this.router.nasAddress;
    if (!host) throw new Error(`${this.router.name} has no address to send CoA/Disconnect to`);
    if (!this.router.radiusSecretSealed) throw new Error(`${this.router.name} has no RADIUS secret`);
    return sendDynamicRequest({
      host,
      port: this.router.coaPort,
      secret: this.deps.sealer.unseal(this.router.radiusSecretSealed),
      code,
      attributes,
      timeoutMs: this.opts.timeoutMs,
      retries: this.opts.retries,
    });
  }
}

function identify(s: RadiusSession): RadiusAttribute[] {
  const out: RadiusAttribute[] = [];
  if (s.username) out.push(attr('User-Name', s.username));
  if (s.acctSessionId) out.push(attr('Acct-Session-Id', s.acctSessionId));
  if (s.ip && /^\d{1,3}(\.\d{1,3}){3}$/.test(s.ip)) out.push(attr('Framed-IP-Address', s.ip));
  if (s.mac) out.push(attr('Calling-Station-Id', s.mac));
  return out;
}

/** Build the adapter from a `routers` row (Drizzle shape). */
export function radiusAdapterFor(
  deps: Deps,
  router: RadiusRouter,
  opts?: { timeoutMs?: number; retries?: number },
): RadiusGatewayAdapter {
  return new RadiusGatewayAdapter(deps, router, opts);
}

/**
 * Radius-mode routers where the code has a live session: where `gateway.revoke` without a
 * routerId must send Disconnect-Requests (a radius router holds nothing else of ours).
 */
export async function radiusRoutersForCode(deps: Deps, accessCodeId: string): Promise<RadiusRouter[]> {
  const rows = await query<{
    id: number;
    name: string;
    host: string | null;
    nas_address: string | null;
    coa_port: number;
    radius_secret_sealed: string | null;
  }>(
    deps.db,
    sql`SELECT r.id, r.name, r.host, r.nas_address, r.coa_port, r.radius_secret_sealed FROM routers r
        WHERE r.mode = 'radius'
          AND EXISTS (SELECT 1 FROM sessions s
                      WHERE s.router_id = r.id AND s.access_code_id = ${accessCodeId} AND s.status = 'active')
        ORDER BY r.id`,
  );
  return rows.map((r) => ({
    id: Number(r.id),
    name: r.name,
    host: r.host,
    nasAddress: r.nas_address,
    coaPort: Number(r.coa_port),
    radiusSecretSealed: r.radius_secret_sealed,
  }));
}
