/**
 * What openNDS posts to the FAS address, answered here:
 *  - authmon (level 3): `clear` at its start, then `view` polls (answered with the authorisations
 *    waiting) and acknowledgements (the rhids it authorised);
 *  - binauth's `deauthed` notices (logged, nothing to do: the poller's report closes the session);
 *  - `wavu_sync` from Wavu's deauth poller: its `ndsctl json` report (usage, live sessions,
 *    confirmation of deauths) in, the MACs to deauthenticate out.
 * Each names its gateway by `gatewayhash`; a wrong one gets nothing.
 */
import { timingSafeEqual } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Deps } from '../../app/deps.ts';
import { type Conn, query } from '../../db/open.ts';
import { AppError } from '../../lib/errors.ts';
import {
  ackedRhids,
  authmonReply,
  decodePayload,
  type NdsClient,
  parseNdsctlJson,
} from '../../protocols/opennds/index.ts';
import type { ActiveSession } from '../adapter.ts';
import { markGranted } from '../grants.ts';
import { syncRouterSessions } from '../sessions/sync-router-sessions.ts';
import { codesByMac, markAuthed, markDeauthed, pendingAuths, takeDeauthMacs } from './clients.ts';
import { openndsRouter } from './router.ts';

export interface PollInput {
  routerId: string;
  authGet: unknown;
  gatewayhash: unknown;
  payload: unknown;
}

const sameHash = (a: string, b: string) =>
  a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

export async function openndsPoll(deps: Deps, i: PollInput): Promise<string> {
  const r = await openndsRouter(deps, i.routerId).catch(() => null);
  if (!r || typeof i.gatewayhash !== 'string' || !sameHash(i.gatewayhash.toLowerCase(), r.gatewayHash)) {
    throw new AppError('forbidden', 'ERROR: unknown gateway');
  }
  const now = deps.clock.now();
  await deps.db.execute(
    sql`UPDATE routers SET opennds_polled_at = ${now}, last_seen_at = ${now}, status = 'up' WHERE id = ${r.row.id}`,
  );
  const payload = decodePayload(typeof i.payload === 'string' ? i.payload : undefined).trim();
  switch (i.authGet) {
    case 'clear':
      // authmon clears "stale" entries at its start. Ours are what Wavu wants, not stale: kept.
      return '*';
    case 'view':
    case 'list': {
      if (payload === '' || payload === 'none') {
        const auths = await pendingAuths(deps.db, r.row.id, now);
        return authmonReply(
          auths.map((a) => ({
            rhid: a.rhid,
            minutes: Number(a.minutes ?? 1),
            upKbps: Number(a.up_kbps ?? 0),
            downKbps: Number(a.down_kbps ?? 0),
            upQuotaKb: Number(a.up_quota_kb ?? 0),
            downQuotaKb: Number(a.down_quota_kb ?? 0),
            custom: 'wavu',
          })),
        );
      }
      const rhids = ackedRhids(payload);
      if (rhids.length) {
        await deps.db.transaction(async (tx) => {
          await markAuthed(tx, r.row.id, rhids, now);
          const codes = await codesForRhids(tx, r.row.id, rhids);
          await markGranted(tx, codes, r.row.id, now);
        });
      }
      return 'ack';
    }
    case 'deauthed':
      deps.log.info({ router: r.row.name }, 'openNDS reported a deauthentication');
      return 'ack';
    case 'wavu_sync':
      return sync(deps, r.row.id, payload, now);
    default:
      throw new AppError('validation', 'ERROR: unknown auth_get');
  }
}

async function codesForRhids(tx: Conn, routerId: number, rhids: string[]): Promise<string[]> {
  const rows = await query<{ access_code_id: string }>(
    tx,
    sql`SELECT DISTINCT access_code_id FROM opennds_clients WHERE router_id = ${routerId}
          AND access_code_id IS NOT NULL AND rhid IN (${sql.join(
            rhids.map((x) => sql`${x}`),
            sql`, `,
          )})`,
  );
  return rows.map((x) => x.access_code_id);
}

/** The poller's report is `now=<router epoch seconds>` on its first line, then `ndsctl json`. */
export function parseSyncReport(text: string): { routerNow: number | null; clients: NdsClient[] | null } {
  const nl = text.indexOf('\n');
  const first = nl < 0 ? text : text.slice(0, nl);
  const m = /^now=(\d{9,11})$/.exec(first.trim());
  return {
    routerNow: m ? Number(m[1]) : null,
    clients: parseNdsctlJson(m ? text.slice(nl + 1) : text),
  };
}

async function sync(deps: Deps, routerId: number, payload: string, now: Date): Promise<string> {
  const report = parseSyncReport(payload);
  // ndsctl failed this time (locked by authmon, openNDS busy): hand out the deauths, change nothing.
  if (report.clients === null) return deauthReply(await takeDeauthMacs(deps.db, routerId, now));
  const online = report.clients.filter((c) => c.state === 'Authenticated');
  const owner = await codesByMac(deps.db, routerId);
  const sessions: ActiveSession[] = online.map((c) => ({
    id: c.token ?? `${c.mac}-${c.sessionStart ?? 0}`,
    username: owner.get(c.mac) ?? '',
    accessCodeId: owner.get(c.mac) ?? null,
    mac: c.mac,
    ip: c.ip,
    uptimeSeconds:
      report.routerNow !== null && c.sessionStart !== null
        ? Math.max(0, report.routerNow - c.sessionStart)
        : 0,
    // openNDS counts kB (1000 bytes); from the client's side, download is what it received.
    bytesIn: Math.round(c.uploadKb * 1000),
    bytesOut: Math.round(c.downloadKb * 1000),
  }));
  await syncRouterSessions(deps, routerId, sessions, now);
  await markDeauthed(
    deps.db,
    routerId,
    online.map((c) => c.mac),
    now,
  );
  return deauthReply(await takeDeauthMacs(deps.db, routerId, now));
}

/** openNDS keeps MACs in lower case and `ndsctl deauth` matches them as written. */
const deauthReply = (macs: string[]) => ['*', ...macs.map((m) => m.toLowerCase())].join(' ');
