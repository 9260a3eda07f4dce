/**
 * UniFi sites: Wavu is the external portal and authorises guests on the controller by MAC.
 *  - Grant: every device bound to the code is authorised with the remaining minutes, the plan's
 *    rates and the data left, so the controller ends the access by itself even if Wavu is never
 *    heard from again (the same safety net as Session-Timeout in radius mode). Authorising again
 *    replaces the authorisation (an extension sends the new minutes).
 *  - Revoke / disconnect: unauthorise the devices. A device the controller no longer knows is
 *    already off.
 *  - Sessions and usage: the site's client list (authorised guests only), polled like api mode.
 *  - Reconcile (every minute, and when the controller comes back): authorised guests whose device
 *    is bound to a code of ours that is no longer live here are unauthorised; devices of live codes
 *    that the controller sees but does not authorise (a restore, a reset, a lost grant job) are
 *    authorised again with what is left. Guests of devices never bound to one of our codes (the
 *    operator's own vouchers) are left alone.
 * A rate-limited controller is retried when it says (RetryLater); a rejected key or login is a
 * router problem shown on the router page (routers/problem.ts).
 */
import { sql } from 'drizzle-orm';
import type { Deps } from '../../app/deps.ts';
import { query } from '../../db/open.ts';
import { RetryLater } from '../../jobs/types.ts';
import { type GuestLimits, type UnifiClient, UnifiError, unifiClient } from '../../protocols/unifi/index.ts';
import type {
  AccessSpec,
  ActiveSession,
  GatewayAdapter,
  ReconcileReport,
  ReconcileWrite,
  RouterHealth,
  RouterRow,
  SessionRef,
} from '../adapter.ts';

/** What the controller is told for an access: minutes rounded up, data in MB rounded up. */
export function guestLimits(
  a: Pick<AccessSpec, 'secondsLeft' | 'bytesLeft' | 'rateUpKbps' | 'rateDownKbps'>,
): GuestLimits {
  return {
    minutes: Math.max(1, Math.ceil(a.secondsLeft / 60)),
    upKbps: a.rateUpKbps,
    downKbps: a.rateDownKbps,
    megabytes: a.bytesLeft === null ? null : Math.max(1, Math.ceil(a.bytesLeft / 1_000_000)),
  };
}

export function controllerOf(deps: Deps, r: RouterRow): UnifiClient {
  return unifiClient({
    baseUrl: r.unifiUrl ?? '',
    site: r.unifiSite ?? 'default',
    kind: r.unifiApi ?? 'integration',
    apiKey: r.unifiApiKeySealed ? deps.sealer.unseal(r.unifiApiKeySealed) : undefined,
    username: r.username ?? undefined,
    password: r.passwordSealed ? deps.sealer.unseal(r.passwordSealed) : undefined,
    fingerprint256: r.tlsFingerprint ?? undefined,
  });
}

/** Throttled: come back when the controller says (at least a second), not on the usual backoff. */
function throttled(e: unknown): never {
  if (e instanceof UnifiError && e.kind === 'rate_limited')
    throw new RetryLater(Math.max(1000, e.retryAfterMs ?? 5000), e.message);
  throw e;
}

export class UnifiAdapter implements GatewayAdapter {
  private readonly c: UnifiClient;
  constructor(
    private readonly deps: Deps,
    private readonly router: RouterRow,
  ) {
    this.c = controllerOf(deps, router);
  }

  async grant(access: AccessSpec): Promise<void> {
    const limits = guestLimits(access);
    let done = 0;
    const gone: string[] = [];
    for (const mac of access.macs) {
      try {
        await this.c.authorize(mac, limits);
        done++;
      } catch (e) {
        // A device bound earlier may have left the site; the grant is for the ones present.
        if (e instanceof UnifiError && e.kind === 'unknown_mac') gone.push(mac);
        else throttled(e);
      }
    }
    // None present (the controller has not seen the device yet): retried with backoff.
    if (done === 0 && gone.length) throw new Error(`the controller does not see ${gone.join(', ')} yet`);
  }

  /** Extended while online: authorise again with the new minutes (replaces the old authorisation). */
  refresh(access: AccessSpec): Promise<void> {
    return this.grant(access);
  }

  async revoke(accessCodeId: string): Promise<void> {
    const rows = await query<{ mac: string }>(
      this.deps.db,
      sql`SELECT mac FROM access_devices WHERE access_code_id = ${accessCodeId}`,
    );
    for (const r of rows) await this.off(r.mac);
  }

  async disconnect(session: SessionRef): Promise<void> {
    if (session.mac) await this.off(session.mac);
  }

  private async off(mac: string): Promise<void> {
    try {
      await this.c.unauthorize(mac);
    } catch (e) {
      if (e instanceof UnifiError && e.kind === 'unknown_mac') return;
      throttled(e);
    }
  }

  async listActive(): Promise<ActiveSession[]> {
    const stations = (await this.c.stations().catch(throttled)).filter((s) => s.authorized);
    // Ours: a device bound to a code that is (meant to be) on this site.
    const ours = await query<{ mac: string; access_code_id: string }>(
      this.deps.db,
      sql`SELECT d.mac, d.access_code_id FROM access_devices d
          JOIN access_grants g ON g.access_code_id = d.access_code_id AND g.router_id = ${this.router.id}
          WHERE g.status IN ('pending', 'granted')`,
    );
    const codeOf = new Map(ours.map((o) => [o.mac, o.access_code_id]));
    return stations.map((s) => ({
      // UniFi has no session id: the device and when it connected name one visit.
      id: `${s.mac}@${s.connectedAt}`,
      username: '',
      accessCodeId: codeOf.get(s.mac) ?? null,
      mac: s.mac,
      ip: s.ip,
      uptimeSeconds: s.uptimeSeconds,
      bytesIn: s.bytesIn,
      bytesOut: s.bytesOut,
    }));
  }

  /** All of it holds the router: a site's station list is small, and read in one call. */
  reconcile(loadDesired: () => Promise<AccessSpec[]>, write: ReconcileWrite): Promise<ReconcileReport> {
    return write([], () => this.converge(loadDesired));
  }

  private async converge(loadDesired: () => Promise<AccessSpec[]>): Promise<ReconcileReport> {
    // Controller first, database second (as in api mode): a grant writes its row before it calls
    // the controller, so a guest a concurrent grant just authorised is already in the desired set.
    const stations = await this.c.stations().catch(throttled);
    const desired = await loadDesired();
    const ours = await query<{ mac: string }>(
      this.deps.db,
      sql`SELECT DISTINCT d.mac FROM access_devices d
          JOIN access_grants g ON g.access_code_id = d.access_code_id AND g.router_id = ${this.router.id}`,
    );
    const wanted = new Map<string, AccessSpec>();
    for (const spec of desired) for (const mac of spec.macs) wanted.set(mac.toUpperCase(), spec);
    const oursSet = new Set(ours.map((o) => o.mac.toUpperCase()));
    const out: ReconcileReport = { added: 0, updated: 0, removed: 0, kicked: 0 };
    for (const st of stations) {
      const mac = st.mac.toUpperCase();
      const spec = wanted.get(mac);
      if (st.authorized && !spec && oursSet.has(mac)) {
        await this.off(st.mac);
        out.removed++;
      } else if (!st.authorized && spec) {
        try {
          await this.c.authorize(st.mac, guestLimits(spec));
          out.added++;
        } catch (e) {
          // Gone from the site between the list and now: nothing to put right.
          if (!(e instanceof UnifiError && e.kind === 'unknown_mac')) throttled(e);
        }
      }
    }
    return out;
  }

  async health(): Promise<RouterHealth> {
    const t0 = performance.now();
    try {
      const version = await this.c.version();
      return {
        ok: true,
        latencyMs: Math.round(performance.now() - t0),
        identity: `${this.router.name} (site ${this.router.unifiSite})`,
        version,
      };
    } catch (e) {
      return { ok: false, latencyMs: Math.round(performance.now() - t0), error: (e as Error).message };
    }
  }
}
