/**
 * The gateway adapter for routers in radius mode. Such a router asks us at every login, so there
 * is nothing to push on grant; taking access away means telling the NAS to end live sessions with
 * a Disconnect-Request (RFC 5176) on its CoA port, using what its accounting told us about them.
 */
import { sql } from 'drizzle-orm';
import type { Deps } from '../app/deps.ts';
import { asDate, query } from '../db/open.ts';
import { attr, ERROR_CAUSE, type RadiusAttribute, RadiusCode } from '../protocols/radius/index.ts';
import { sendDynamicRequest } from './coa-client.ts';

/** The columns of a `routers` row this adapter uses (a Drizzle routers row fits). */
export interface RadiusRouter {
  id: number;
  name: string;
  host: string | null;
  nasAddress: string | null;
  coaPort: number;
  radiusSecretSealed: string | null;
}

// The shapes below mirror the gateways feature's GatewayAdapter interface (src/gateways/adapter.ts).

/** A live session as the NAS last reported it; `id` is its Acct-Session-Id. */
export interface RadiusActiveSession {
  id: string;
  username: string;
  accessCodeId: string | null;
  mac: string | null;
  ip: string | null;
  uptimeSeconds: number;
  bytesIn: number;
  bytesOut: number;
}

/** How to name one session to the NAS (from the latest accounting). */
export interface RadiusSessionRef {
  acctSessionId?: string | null;
  username?: string | null;
  mac?: string | null;
  ip?: string | null;
}

export interface RadiusHealth {
  ok: boolean;
  latencyMs: number;
  activeSessions: number;
  lastSeenAt: Date | null;
  error?: string;
}

interface SessionRow {
  acct_session_id: string | null;
  username: string | null;
  access_code_id: string | null;
  mac: string | null;
  ip: string | null;
  session_seconds: number;
  input_bytes: number;
  output_bytes: number;
}

const SESSION_COLUMNS = sql`acct_session_id, username, access_code_id, mac, ip, session_seconds, input_bytes, output_bytes`;

const toActive = (r: SessionRow): RadiusActiveSession => ({
  id: r.acct_session_id ?? '',
  username: r.username ?? '',
  accessCodeId: r.access_code_id,
  mac: r.mac,
  ip: r.ip,
  uptimeSeconds: Number(r.session_seconds),
  bytesIn: Number(r.input_bytes),
  bytesOut: Number(r.output_bytes),
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

  /**
   * End every live session of the code on this router (by code id, or by the code as User-Name
   * for sessions we could not tie to a code). Throws, so the job retries, if any NAS call failed.
   */
  async revoke(accessCodeId: string, username?: string): Promise<void> {
    const rows = await query<SessionRow>(
      this.deps.db,
      sql`SELECT ${SESSION_COLUMNS} FROM sessions
          WHERE router_id = ${this.router.id} AND status = 'active'
            AND (access_code_id = ${accessCodeId}
                 ${username ? sql`OR (access_code_id IS NULL AND username = ${username})` : sql``})`,
    );
    const failures: string[] = [];
    for (const r of rows) {
      try {
        await this.disconnect({
          acctSessionId: r.acct_session_id,
          username: r.username,
          mac: r.mac,
          ip: r.ip,
        });
      } catch (e) {
        failures.push((e as Error).message);
      }
    }
    if (failures.length)
      throw new Error(
        `${failures.length} of ${rows.length} sessions not disconnected on ${this.router.name}: ${failures[0]}`,
      );
  }

  /** Live sessions as the NAS's accounting last reported them. */
  async listActive(): Promise<RadiusActiveSession[]> {
    const rows = await query<SessionRow>(
      this.deps.db,
      sql`SELECT ${SESSION_COLUMNS} FROM sessions
          WHERE router_id = ${this.router.id} AND status = 'active' ORDER BY started_at`,
    );
    return rows.map(toActive);
  }

  /**
   * Disconnect-Request for one session, identified the way MikroTik hotspot needs it: User-Name,
   * Acct-Session-Id and Framed-IP-Address (plus Calling-Station-Id). ACK, or NAK "session not
   * found", closes our row; another NAK or no answer throws.
   */
  async disconnect(session: RadiusSessionRef): Promise<void> {
    const result = await this.send(RadiusCode.DisconnectRequest, identify(session));
    const gone = !result.ack && result.errorCause === ERROR_CAUSE['Session-Context-Not-Found'];
    if (!result.ack && !gone)
      throw new Error(
        `${this.router.name} refused the Disconnect-Request (Error-Cause ${result.errorCause ?? 'none'})`,
      );
    if (session.acctSessionId) {
      const now = this.deps.clock.now();
      await this.deps.db.execute(
        sql`UPDATE sessions SET status = 'closed', stopped_at = ${now}, updated_at = ${now}, terminate_cause = 'Admin-Reset'
            WHERE router_id = ${this.router.id} AND acct_session_id = ${session.acctSessionId} AND status = 'active'`,
      );
    }
  }

  /** CoA-Request for one session (new Session-Timeout, rate…); true when the NAS acknowledged. */
  async changeAuthorization(session: RadiusSessionRef, attributes: RadiusAttribute[]): Promise<boolean> {
    return (await this.send(RadiusCode.CoaRequest, [...identify(session), ...attributes])).ack;
  }

  /** A radius router is healthy when it has talked to us recently; we do not poll it. */
  async health(): Promise<RadiusHealth> {
    const [r] = await query<{ last_seen_at: unknown; active: number }>(
      this.deps.db,
      sql`SELECT r.last_seen_at,
                 (SELECT count(*)::int FROM sessions s WHERE s.router_id = r.id AND s.status = 'active') AS active
          FROM routers r WHERE r.id = ${this.router.id}`,
    );
    const lastSeenAt = r?.last_seen_at ? asDate(r.last_seen_at) : null;
    const recent =
      lastSeenAt !== null && this.deps.clock.now().getTime() - lastSeenAt.getTime() < HEALTH_WINDOW_MS;
    const h: RadiusHealth = { ok: recent, latencyMs: 0, activeSessions: Number(r?.active ?? 0), lastSeenAt };
    if (!recent)
      h.error = lastSeenAt
        ? `no RADIUS request since ${lastSeenAt.toISOString()}`
        : 'no RADIUS request received yet';
    return h;
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

function identify(s: RadiusSessionRef): RadiusAttribute[] {
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
