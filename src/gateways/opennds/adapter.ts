/**
 * openNDS routers (OpenWrt, Debian): Wavu is their FAS. Nothing is pushed: the router pulls.
 *  - Authorise: a client's authorisation is written as `auth_pending`; authmon (level 3) collects
 *    it on its next poll and runs `ndsctl auth` with the remaining minutes, rates and quota, so
 *    the session ends on the router by itself even if Wavu is never heard from again. Level 1
 *    authorises through the browser's token redirect instead.
 *  - Deauthorise (revoke, expiry, staff disconnect): written as `deauth_pending`; the deauth poller
 *    Wavu ships (`wavu routers script`) collects it and runs `ndsctl deauth`, and its next report
 *    (`ndsctl json`) confirms it. authmon in openNDS 9.x has no deauth command, so this poller is
 *    the reliable path; the session minutes stay as the safety net.
 *  - Usage and live sessions come from the poller's reports (gateways/sessions sync).
 */
import { sql } from 'drizzle-orm';
import type { Deps } from '../../app/deps.ts';
import { query } from '../../db/open.ts';
import type {
  AccessSpec,
  ActiveSession,
  GatewayAdapter,
  RouterHealth,
  RouterRow,
  SessionRef,
} from '../adapter.ts';
import { activeSessionsOf } from '../sessions/active-sessions.ts';
import { type WantedAuth, wantAuth, wantDeauth } from './clients.ts';

/** The poller reports every few seconds; silent for longer than this, the router is down. */
export const OPENNDS_OFFLINE_MS = 90_000;

/** What openNDS is told for an access: minutes rounded up, quota in kB (download side). */
export function wantedAuth(a: {
  secondsLeft: number;
  bytesLeft: number | null;
  rateUpKbps: number | null;
  rateDownKbps: number | null;
}): WantedAuth {
  return {
    minutes: Math.max(1, Math.ceil(a.secondsLeft / 60)),
    upKbps: a.rateUpKbps,
    downKbps: a.rateDownKbps,
    upQuotaKb: null,
    // openNDS caps each direction; a plan's cap is one total, and downloads are nearly all of it.
    downQuotaKb: a.bytesLeft === null ? null : Math.max(1, Math.ceil(a.bytesLeft / 1000)),
  };
}

export class OpenNdsAdapter implements GatewayAdapter {
  constructor(
    private readonly deps: Deps,
    private readonly router: RouterRow,
  ) {}

  /** Refresh the wanted authorisation of every client of this code that is waiting for one. */
  async grant(access: AccessSpec): Promise<void> {
    const now = this.deps.clock.now();
    const rows = await query<{ token: string }>(
      this.deps.db,
      sql`SELECT token FROM opennds_clients WHERE router_id = ${this.router.id} AND access_code_id = ${access.accessCodeId}
            AND state IN ('auth_pending', 'authed')`,
    );
    for (const r of rows) await wantAuth(this.deps.db, r.token, access.accessCodeId, wantedAuth(access), now);
  }

  async revoke(accessCodeId: string): Promise<void> {
    await wantDeauth(this.deps.db, this.router.id, accessCodeId, this.deps.clock.now());
  }

  listActive(): Promise<ActiveSession[]> {
    return activeSessionsOf(this.deps.db, this.router.id);
  }

  async disconnect(session: SessionRef): Promise<void> {
    if (!session.mac) return;
    await this.deps.db.execute(
      sql`UPDATE opennds_clients SET state = 'deauth_pending', updated_at = ${this.deps.clock.now()}
          WHERE router_id = ${this.router.id} AND mac = ${session.mac.toUpperCase()}
            AND state IN ('auth_pending', 'authed')`,
    );
  }

  async health(): Promise<RouterHealth> {
    const polled = this.router.openndsPolledAt;
    const age = polled ? this.deps.clock.now().getTime() - polled.getTime() : null;
    const ok = age !== null && age < OPENNDS_OFFLINE_MS;
    return {
      ok,
      latencyMs: 0,
      identity: this.router.openndsGatewayName ?? this.router.name,
      ...(ok
        ? {}
        : { error: polled ? 'openNDS has not polled Wavu lately' : 'openNDS has never polled Wavu' }),
    };
  }
}
