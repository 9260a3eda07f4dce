/**
 * The gateway adapter for routers in radius mode. Such a router asks us at every login, so there
 * is nothing to push on grant; taking access away means telling the NAS to end live sessions with
 * a Disconnect-Request (RFC 5176) on its CoA port, using what its accounting told us about them.
 *
 * Behind NAT that port cannot be reached. After `RADIUS_COA_MAX_FAILURES` unanswered requests in a
 * row the router is marked (routers.coa_unreachable_since) and from then on each kick is one
 * packet, no retries: unanswered, it is recorded as left to the router (sessions.left_to_router_at),
 * which ends the session itself at the Session-Timeout we gave it (always the time left). Any
 * answer — to a kick, a CoA or the periodic probe — clears the mark.
 */
import { inWindow } from '../lib/in-window.ts';
import { type SQL, sql } from 'drizzle-orm';
import type { AdapterFactory, Deps } from '../app/deps.ts';
import { asDate, query } from '../db/open.ts';
import type {
  AccessSpec,
  ActiveSession,
  GatewayAdapter,
  RadiusProfile,
  RevokeItem,
  RouterHealth,
  SessionRef,
} from '../gateways/index.ts';
import { attr, ERROR_CAUSE, type RadiusAttribute, RadiusCode } from '../protocols/radius/index.ts';
import {
  activeSessionsOf,
  activeSessionsOfCodes,
  clearError,
  coaAnswered,
  coaMarkedUnreachable,
  coaUnanswered,
  markDown,
} from '../gateways/index.ts';
import { OpnsenseError, opnsenseClient } from '../protocols/opnsense/index.ts';
import { limitAttributes, rateAttributes, takesCoa } from './profiles.ts';
import { DynamicAuthTimeout, type DynamicResult, sendDynamicRequest } from './coa-client.ts';

/** The columns of a `routers` row this adapter uses (a Drizzle routers row fits). */
export interface RadiusRouter {
  id: number;
  name: string;
  host: string | null;
  nasAddress: string | null;
  coaPort: number;
  radiusSecretSealed: string | null;
  /** Whose gateway it is (profiles.ts): only MikroTik takes Disconnect/CoA-Requests. */
  radiusProfile?: RadiusProfile;
  /** OPNsense: its captive-portal API, when a key was given (gateways end sessions through it). */
  opnsenseUrl?: string | null;
  opnsenseZoneId?: number | null;
  opnsenseApiKeySealed?: string | null;
  opnsenseApiSecretSealed?: string | null;
}

/** A radius router's health is what its accounting last told us: there is nothing to dial. */
export interface RadiusHealth extends RouterHealth {
  activeSessions: number;
  lastSeenAt: Date | null;
}

/**
 * How a Disconnect/CoA-Request reaches the router: by default UDP to its CoA port. A router that
 * also runs the pull agent cannot be dialled at all; its path will queue the request as an agent
 * command instead (and answer when the router acks it). That is the one place to plug it in.
 */
export interface DynamicAuthPath {
  send(
    code: typeof RadiusCode.DisconnectRequest | typeof RadiusCode.CoaRequest,
    attributes: RadiusAttribute[],
    o: { retries?: number | undefined },
  ): Promise<DynamicResult>;
}

/** What a CoA/Disconnect came to: answered (ACK or NAK), or not deliverable (CoA port unreachable). */
type Delivery = DynamicResult | { undeliverable: true };

/** A router unheard of for this long is reported as not seen recently (idle NASes send nothing). */
const HEALTH_WINDOW_MS = 30 * 60_000;

export class RadiusGatewayAdapter implements GatewayAdapter {
  readonly kind = 'radius' as const;

  private readonly path: DynamicAuthPath;

  constructor(
    private readonly deps: Deps,
    private readonly router: RadiusRouter,
    private readonly opts: { timeoutMs?: number; retries?: number; path?: DynamicAuthPath } = {},
  ) {
    this.path = opts.path ?? { send: (code, attributes, o) => this.sendUdp(code, attributes, o.retries) };
  }

  /** Nothing to push: the NAS asks us (Access-Request) when the device logs in. */
  async grant(_access: { accessCodeId: string }): Promise<void> {}

  /**
   * End every live session of the code on this router (by code id, or by the code as User-Name
   * for sessions we could not tie to a code). Throws, so the job retries, if any NAS call failed.
   */
  async revoke(accessCodeId: string, username?: string): Promise<void> {
    const rows = await activeSessionsOf(this.deps.db, this.router.id, { accessCodeId, username });
    const failures: string[] = [];
    for (const r of rows) {
      try {
        await this.disconnect({
          acctSessionId: r.id || null,
          username: r.username || null,
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

  /**
   * End the live sessions of many codes on this router (codes that expired together).
   * Disconnect-Requests go out concurrently, at most DISCONNECT_WINDOW in flight, each
   * retransmitted on its own timeout (coa-client). The router's CoA state is read once and written
   * once for the whole batch, and the sessions that ended are closed in one statement, so the
   * database work does not grow with the batch. A NAK other than "session not found", or no answer
   * while the port is still thought reachable, leaves that code in the returned failures (retried).
   */
  async revokeMany(items: RevokeItem[]): Promise<Map<string, string>> {
    const failed = new Map<string, string>();
    const rows = await activeSessionsOfCodes(
      this.deps.db,
      this.router.id,
      items.map((i) => i.accessCodeId),
    );
    const refOf = (r: ActiveSession): SessionRef => ({
      acctSessionId: r.id || null,
      username: r.username || null,
      mac: r.mac,
      ip: r.ip,
    });
    if (!rows.length) return failed;
    if (!takesCoa(this.router.radiusProfile ?? 'mikrotik')) {
      for (const r of rows) {
        try {
          await this.endWithoutCoa(refOf(r));
        } catch (e) {
          failed.set(r.accessCodeId!, (e as Error).message);
        }
      }
      return failed;
    }
    const marked = await coaMarkedUnreachable(this.deps.db, this.router.id);
    const retries = marked ? 0 : this.opts.retries;
    const ended: string[] = [];
    const unanswered: ActiveSession[] = [];
    let answered = 0;
    await inWindow(rows, DISCONNECT_WINDOW, async (r) => {
      try {
        const res = await this.path.send(RadiusCode.DisconnectRequest, identify(refOf(r)), { retries });
        answered++;
        const gone = !res.ack && res.errorCause === ERROR_CAUSE['Session-Context-Not-Found'];
        if (res.ack || gone) {
          if (r.id) ended.push(r.id);
        } else
          failed.set(
            r.accessCodeId!,
            `${this.router.name} refused the Disconnect-Request (Error-Cause ${res.errorCause ?? 'none'})`,
          );
      } catch (e) {
        if (isNoAnswer(e)) unanswered.push(r);
        else failed.set(r.accessCodeId!, (e as Error).message);
      }
    });
    const now = this.deps.clock.now();
    if (answered) {
      await coaAnswered(this.deps.db, this.router.id);
      if (marked) this.deps.log.info({ router: this.router.name }, 'CoA port answers again');
    }
    if (unanswered.length) {
      let unreachable = false;
      if (!answered) {
        unreachable = await coaUnanswered(
          this.deps.db,
          this.router.id,
          unanswered.length,
          this.deps.config.radius.coaMaxFailures,
          now,
        );
        if (unreachable && !marked)
          this.deps.log.warn(
            { router: this.router.name },
            'CoA port unreachable (behind NAT?): kicks are no longer retried, sessions end by Session-Timeout',
          );
      }
      if (unreachable) {
        // Left to the router: it ends them at the Session-Timeout we gave (always the time left).
        const ids = unanswered.map((r) => r.id).filter(Boolean);
        if (ids.length)
          await this.deps.db.execute(
            sql`UPDATE sessions SET left_to_router_at = COALESCE(left_to_router_at, ${now}), updated_at = ${now}
                WHERE router_id = ${this.router.id} AND status = 'active'
                  AND acct_session_id IN (SELECT jsonb_array_elements_text(${JSON.stringify(ids)}::jsonb))`,
          );
      } else
        for (const r of unanswered)
          failed.set(r.accessCodeId!, `no answer from ${this.router.name} to the Disconnect-Request`);
    }
    if (ended.length)
      await this.deps.db.execute(
        sql`UPDATE sessions SET status = 'closed', stopped_at = ${now}, updated_at = ${now}, terminate_cause = 'Admin-Reset'
            WHERE router_id = ${this.router.id} AND status = 'active'
              AND acct_session_id IN (SELECT jsonb_array_elements_text(${JSON.stringify(ended)}::jsonb))`,
      );
    return failed;
  }

  /** Live sessions as the NAS's accounting last reported them. */
  async listActive(): Promise<ActiveSession[]> {
    return activeSessionsOf(this.deps.db, this.router.id);
  }

  /**
   * Disconnect-Request for one session, identified the way MikroTik hotspot needs it: User-Name,
   * Acct-Session-Id and Framed-IP-Address (plus Calling-Station-Id). ACK, or NAK "session not
   * found", closes our row; another NAK throws; no answer throws (the job retries) until the CoA
   * port is marked unreachable, then the session is left to the router's Session-Timeout.
   */
  async disconnect(session: SessionRef): Promise<void> {
    if (!takesCoa(this.router.radiusProfile ?? 'mikrotik')) return this.endWithoutCoa(session);
    const result = await this.send(RadiusCode.DisconnectRequest, identify(session));
    if ('undeliverable' in result) {
      await this.leaveToRouter(
        session,
        'CoA port unreachable: the router ends this session by Session-Timeout',
      );
      return;
    }
    const gone = !result.ack && result.errorCause === ERROR_CAUSE['Session-Context-Not-Found'];
    if (!result.ack && !gone)
      throw new Error(
        `${this.router.name} refused the Disconnect-Request (Error-Cause ${result.errorCause ?? 'none'})`,
      );
    await this.closed(session);
  }

  /**
   * pfSense and OPNsense take no Disconnect-Request. OPNsense with an API key: its captive-portal
   * API ends the session (found by IP, else MAC); a refused key is recorded on the router (shown
   * on its page) and thrown, so the job retries once it is fixed. Otherwise the session is left
   * to the gateway: pfSense refuses it at its next re-authentication (every minute when set up
   * as docs/pfsense-setup.md says), OPNsense ends it at its Session-Timeout.
   */
  private async endWithoutCoa(session: SessionRef): Promise<void> {
    const r = this.router;
    if (r.radiusProfile === 'pfsense') {
      await this.leaveToRouter(session, 'pfSense ends this session at its next re-authentication');
      return;
    }
    const api = this.opnsenseApi();
    if (!api) {
      await this.leaveToRouter(
        session,
        'no OPNsense API key: the router ends this session by Session-Timeout',
      );
      return;
    }
    try {
      const mac = session.mac?.toUpperCase() ?? null;
      const live = await api.client.sessions(api.zoneId);
      const hit =
        live.find((s) => session.ip && s.ipAddress === session.ip) ??
        live.find((s) => mac && s.macAddress === mac);
      if (hit) await api.client.disconnect(api.zoneId, hit.sessionId);
    } catch (e) {
      if (e instanceof OpnsenseError && e.kind === 'auth') await markDown(this.deps.db, r.id, e.message);
      throw e;
    }
    // The key works (again): a refusal recorded earlier is no longer the router's problem.
    await clearError(this.deps.db, r.id, 'OPNsense refused');
    await this.closed(session);
  }

  /** The OPNsense captive-portal API of this router, when it was given a key. */
  private opnsenseApi() {
    const r = this.router;
    if (!r.opnsenseUrl || !r.opnsenseApiKeySealed || !r.opnsenseApiSecretSealed || r.opnsenseZoneId == null)
      return null;
    const client = opnsenseClient({
      baseUrl: r.opnsenseUrl,
      apiKey: this.deps.sealer.unseal(r.opnsenseApiKeySealed),
      apiSecret: this.deps.sealer.unseal(r.opnsenseApiSecretSealed),
      timeoutMs: this.opts.timeoutMs,
    });
    return { client, zoneId: r.opnsenseZoneId };
  }

  private async leaveToRouter(session: SessionRef, why: string): Promise<void> {
    const now = this.deps.clock.now();
    if (session.acctSessionId)
      await this.deps.db.execute(
        sql`UPDATE sessions SET left_to_router_at = COALESCE(left_to_router_at, ${now}), updated_at = ${now}
            WHERE router_id = ${this.router.id} AND acct_session_id = ${session.acctSessionId} AND status = 'active'`,
      );
    this.deps.log.info({ router: this.router.name, acctSessionId: session.acctSessionId ?? null }, why);
  }

  private async closed(session: SessionRef): Promise<void> {
    if (!session.acctSessionId) return;
    const now = this.deps.clock.now();
    await this.deps.db.execute(
      sql`UPDATE sessions SET status = 'closed', stopped_at = ${now}, updated_at = ${now}, terminate_cause = 'Admin-Reset'
          WHERE router_id = ${this.router.id} AND acct_session_id = ${session.acctSessionId} AND status = 'active'`,
    );
  }

  /**
   * CoA-Request for one session (new Session-Timeout, rate…): 'ack', 'nak', or 'left_to_router'
   * when the CoA port is unreachable (the session then ends at the Session-Timeout it had).
   */
  async changeAuthorization(
    session: SessionRef,
    attributes: RadiusAttribute[],
  ): Promise<'ack' | 'nak' | 'left_to_router'> {
    const r = await this.send(RadiusCode.CoaRequest, [...identify(session), ...attributes]);
    if ('undeliverable' in r) return 'left_to_router';
    return r.ack ? 'ack' : 'nak';
  }

  /** A PPP subscriber's new rate (fair use) or Session-Timeout (a payment) by CoA-Request. */
  async changeSession(
    session: SessionRef,
    change: { rateLimit?: string; sessionTimeout?: number },
  ): Promise<boolean> {
    if (!takesCoa(this.router.radiusProfile ?? 'mikrotik')) return false;
    const attrs: RadiusAttribute[] = [];
    if (change.rateLimit) attrs.push(attr('Mikrotik-Rate-Limit', change.rateLimit));
    if (change.sessionTimeout) attrs.push(...limitAttributes(change.sessionTimeout, null));
    return (await this.changeAuthorization(session, attrs)) === 'ack';
  }

  /**
   * The code got more time while online (a top-up), or crossed a fair-use cap: tell each of its
   * live sessions here its new Session-Timeout and speed by CoA-Request. The router measures Session-Timeout against the session's
   * uptime, so it is the uptime so far plus what is left now. Throws (the job retries) while the
   * NAS does not answer and its CoA port is not yet marked unreachable; once it is, the session
   * ends at its old timeout and the device's next login gets the new time.
   */
  async refresh(
    access: Pick<AccessSpec, 'accessCodeId' | 'clock' | 'secondsLeft' | 'rateUpKbps' | 'rateDownKbps'>,
  ): Promise<void> {
    // pfSense and OPNsense have no CoA: the new time and speed apply at the device's next login.
    if (!takesCoa(this.router.radiusProfile ?? 'mikrotik')) return;
    const rows = await query<{
      acct_session_id: string | null;
      username: string | null;
      mac: string | null;
      ip: string | null;
      session_seconds: number;
      updated_at: unknown;
    }>(
      this.deps.db,
      sql`SELECT acct_session_id, username, mac, ip, session_seconds, updated_at FROM sessions
          WHERE router_id = ${this.router.id} AND status = 'active' AND access_code_id = ${access.accessCodeId}`,
    );
    const now = this.deps.clock.now().getTime();
    for (const r of rows) {
      // Seconds online since the NAS last reported the session (not yet counted anywhere).
      const since = Math.max(0, Math.floor((now - asDate(r.updated_at).getTime()) / 1000));
      const uptime = Number(r.session_seconds) + since;
      // An uptime code's time left was counted up to that report; a wall code's runs from now.
      const left = access.clock === 'uptime' ? access.secondsLeft - since : access.secondsLeft;
      const result = await this.changeAuthorization(
        { acctSessionId: r.acct_session_id, username: r.username, mac: r.mac, ip: r.ip },
        // The speed too: after a fair-use cap it is the reduced one (Mikrotik-Rate-Limit).
        [
          ...limitAttributes(uptime + Math.max(0, left), null),
          ...rateAttributes(access.rateUpKbps, access.rateDownKbps),
        ],
      );
      if (result === 'nak')
        this.deps.log.warn(
          { router: this.router.name, acctSessionId: r.acct_session_id },
          'router refused the CoA; the new time and speed apply at the next login',
        );
    }
  }

  /**
   * Is the CoA port reachable again? One Disconnect-Request for a session that does not exist:
   * a NAS that hears it answers (a NAK "session not found"), which clears the mark; it ends nothing.
   */
  async probe(): Promise<boolean> {
    const r = await this.send(RadiusCode.DisconnectRequest, [
      attr('User-Name', 'wavu-coa-probe'),
      attr('Acct-Session-Id', `wavu-probe-${this.deps.clock.now().getTime()}`),
    ]);
    return !('undeliverable' in r);
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
    // OPNsense with a key: the key must work too, or revocation cannot end sessions.
    const api = this.opnsenseApi();
    if (api) {
      const t0 = performance.now();
      try {
        await api.client.sessions(api.zoneId);
      } catch (e) {
        if (e instanceof OpnsenseError && e.kind === 'auth')
          await markDown(this.deps.db, this.router.id, e.message);
        return { ...h, ok: false, error: (e as Error).message };
      } finally {
        h.latencyMs = Math.round(performance.now() - t0);
      }
    }
    return h;
  }

  /**
   * Send through the path and keep the router's CoA reachability: any answer resets the count of
   * failures; no answer adds one, and the Nth in a row marks the port unreachable. Once marked,
   * a request is sent once (no retransmits) and an unanswered one is not an error.
   */
  private async send(
    code: typeof RadiusCode.DisconnectRequest | typeof RadiusCode.CoaRequest,
    attributes: RadiusAttribute[],
  ): Promise<Delivery> {
    const marked = await coaMarkedUnreachable(this.deps.db, this.router.id);
    let result: DynamicResult;
    try {
      result = await this.path.send(code, attributes, { retries: marked ? 0 : this.opts.retries });
    } catch (e) {
      if (!isNoAnswer(e)) throw e;
      const now = this.deps.clock.now();
      const unreachable = await coaUnanswered(
        this.deps.db,
        this.router.id,
        1,
        this.deps.config.radius.coaMaxFailures,
        now,
      );
      if (!unreachable) throw e;
      if (!marked)
        this.deps.log.warn(
          { router: this.router.name },
          'CoA port unreachable (behind NAT?): kicks are no longer retried, sessions end by Session-Timeout',
        );
      return { undeliverable: true };
    }
    await coaAnswered(this.deps.db, this.router.id);
    if (marked) this.deps.log.info({ router: this.router.name }, 'CoA port answers again');
    return result;
  }

  private sendUdp(
    code: typeof RadiusCode.DisconnectRequest | typeof RadiusCode.CoaRequest,
    attributes: RadiusAttribute[],
    retries: number | undefined,
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
      retries,
    });
  }
}

/** Disconnect-Requests of one batch in flight at once: enough to fill a LAN, few enough for a small NAS. */
const DISCONNECT_WINDOW = 64;

/** The router did not answer: timed out, or the network refused the datagram (unreachable host/port). */
function isNoAnswer(e: unknown): boolean {
  if (e instanceof DynamicAuthTimeout) return true;
  const code = (e as { code?: unknown }).code;
  return (
    typeof code === 'string' &&
    /^(ECONNREFUSED|EHOSTUNREACH|ENETUNREACH|EHOSTDOWN|ENETDOWN|EADDRNOTAVAIL)$/.test(code)
  );
}

function identify(s: SessionRef): RadiusAttribute[] {
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
  return radiusRouters(
    deps,
    sql`EXISTS (SELECT 1 FROM sessions s
                WHERE s.router_id = r.id AND s.access_code_id = ${accessCodeId} AND s.status = 'active')`,
  );
}

/** Radius-mode routers whose CoA port is marked unreachable: the ones the probe asks again. */
export function coaUnreachableRouters(deps: Deps): Promise<RadiusRouter[]> {
  return radiusRouters(deps, sql`r.enabled AND r.coa_unreachable_since IS NOT NULL`);
}

async function radiusRouters(deps: Deps, where: SQL): Promise<RadiusRouter[]> {
  const rows = await query<{
    id: number;
    name: string;
    host: string | null;
    nas_address: string | null;
    coa_port: number;
    radius_secret_sealed: string | null;
    radius_profile: RadiusProfile;
    opnsense_url: string | null;
    opnsense_zone_id: number | null;
    opnsense_api_key_sealed: string | null;
    opnsense_api_secret_sealed: string | null;
  }>(
    deps.db,
    sql`SELECT r.id, r.name, r.host, r.nas_address, r.coa_port, r.radius_secret_sealed, r.radius_profile,
               r.opnsense_url, r.opnsense_zone_id, r.opnsense_api_key_sealed, r.opnsense_api_secret_sealed
        FROM routers r
        WHERE r.mode = 'radius' AND ${where} ORDER BY r.id`,
  );
  return rows.map((r) => ({
    id: Number(r.id),
    name: r.name,
    host: r.host,
    nasAddress: r.nas_address,
    coaPort: Number(r.coa_port),
    radiusSecretSealed: r.radius_secret_sealed,
    radiusProfile: r.radius_profile,
    opnsenseUrl: r.opnsense_url,
    opnsenseZoneId: r.opnsense_zone_id === null ? null : Number(r.opnsense_zone_id),
    opnsenseApiKeySealed: r.opnsense_api_key_sealed,
    opnsenseApiSecretSealed: r.opnsense_api_secret_sealed,
  }));
}

/**
 * Revoke and kick on radius-mode routers go through the gateway jobs like any other router:
 * Disconnect-Requests to the NAS (see adapter.ts). The wiring adds it to `deps.gatewayModes`.
 */
export const radiusGatewayMode: AdapterFactory = (deps, router) => new RadiusGatewayAdapter(deps, router);
