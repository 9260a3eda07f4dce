/**
 * A guest arrives from UniFi: the controller sends the browser to the external portal at
 * `/guest/s/<site>/?id=<client MAC>&ap=<AP MAC>&t=<time>&url=<where it was going>&ssid=<SSID>`.
 * UniFi signs nothing, so the arrival only tells us which device to authorise: the portal's login
 * address carries the router and the MAC under our own signature (so a login cannot be pointed at
 * another device afterwards), and nothing is credited without a valid code.
 */
import { sql } from 'drizzle-orm';
import type { Deps } from '../../app/deps.ts';
import { query } from '../../db/open.ts';
import { AppError } from '../../lib/errors.ts';
import { normalizeMac } from '../../lib/mac.ts';
import { requestGrant } from '../grants.ts';
import { GRANT_JOB } from '../job-kinds.ts';
import { httpUrl } from '../opennds/arrival.ts';

/** How long a login address stays good after the guest arrived. */
export const UNIFI_TICKET_MS = 60 * 60_000;

const SITE = /^[A-Za-z0-9_-]{1,64}$/;

export interface UnifiArrival {
  routerName: string;
  mac: string;
  ticket: string;
  originUrl: string | null;
  ssid: string | null;
}

export interface UnifiTicket {
  routerId: number;
  routerName: string;
  mac: string;
}

export async function unifiArrival(
  deps: Deps,
  i: { site: string; routerId?: string; query: Record<string, unknown> },
): Promise<UnifiArrival> {
  if (!SITE.test(i.site)) throw new AppError('validation', 'site: not a UniFi site name');
  const byId = i.routerId !== undefined;
  if (byId && !/^\d{1,9}$/.test(i.routerId!)) throw new AppError('not_found', 'No UniFi site here.');
  const rows = await query<{ id: number; name: string }>(
    deps.db,
    byId
      ? sql`SELECT id, name FROM routers WHERE mode = 'unifi' AND enabled AND id = ${Number(i.routerId)} AND unifi_site = ${i.site}`
      : sql`SELECT id, name FROM routers WHERE mode = 'unifi' AND enabled AND unifi_site = ${i.site} ORDER BY id`,
  );
  if (rows.length === 0) throw new AppError('not_found', 'No UniFi site here.');
  if (rows.length > 1)
    throw new AppError(
      'conflict',
      `Several UniFi routers use site "${i.site}": set each one's portal address to /unifi/<router id>/ (wavu routers script NAME).`,
    );
  const mac = normalizeMac(typeof i.query.id === 'string' ? i.query.id : null);
  if (!mac) throw new AppError('validation', 'id: the WiFi did not say which device this is (a MAC address)');
  const r = rows[0]!;
  const exp = deps.clock.now().getTime() + UNIFI_TICKET_MS;
  const body = `${r.id}.${mac.replace(/:/g, '')}.${exp}`;
  const ssid = typeof i.query.ssid === 'string' && i.query.ssid.length <= 64 ? i.query.ssid : null;
  return {
    routerName: r.name,
    mac,
    ticket: `${body}.${deps.sealer.sign(`unifi\0${body}`)}`,
    originUrl: httpUrl(typeof i.query.url === 'string' ? i.query.url : undefined),
    ssid,
  };
}

/**
 * The router and device a login address names, if we signed it, it is still good and the router
 * is still an enabled UniFi site.
 */
export async function unifiTicket(deps: Deps, ticket: string): Promise<UnifiTicket | null> {
  const m = /^(\d{1,9})\.([0-9A-F]{12})\.(\d{1,15})\.([A-Za-z0-9_-]{20,100})$/.exec(ticket);
  if (!m) return null;
  const body = `${m[1]}.${m[2]}.${m[3]}`;
  if (!deps.sealer.verify(`unifi\0${body}`, m[4]!)) return null;
  if (Number(m[3]) < deps.clock.now().getTime()) return null;
  const [r] = await query<{ name: string }>(
    deps.db,
    sql`SELECT name FROM routers WHERE id = ${Number(m[1])} AND mode = 'unifi' AND enabled`,
  );
  if (!r) return null;
  return { routerId: Number(m[1]), routerName: r.name, mac: normalizeMac(m[2]!)! };
}

/**
 * The code was accepted for this device: want it on the site and queue the authorisation (the
 * job is the quick path and retries while the controller is down or has not seen the device
 * yet; the site's reconcile authorises it if the job is lost).
 */
export async function unifiLogin(deps: Deps, t: UnifiTicket, accessCodeId: string): Promise<void> {
  const now = deps.clock.now();
  await deps.db.transaction(async (tx) => {
    await requestGrant(tx, accessCodeId, t.routerId, now, { attempt: false });
    await deps.enqueue(
      tx,
      GRANT_JOB,
      { accessCodeId, routerId: t.routerId },
      { key: `grant:${accessCodeId}:${t.routerId}:unifi:${t.mac}:${now.getTime()}` },
    );
  });
}

/** Has the controller authorised the code on this site yet? */
export async function unifiGrantState(
  deps: Deps,
  t: UnifiTicket,
  accessCodeId: string,
): Promise<'granted' | 'pending' | 'none'> {
  const [g] = await query<{ status: string }>(
    deps.db,
    sql`SELECT g.status FROM access_grants g
        JOIN access_devices d ON d.access_code_id = g.access_code_id AND d.mac = ${t.mac}
        WHERE g.access_code_id = ${accessCodeId} AND g.router_id = ${t.routerId}`,
  );
  if (!g) return 'none';
  return g.status === 'granted' ? 'granted' : g.status === 'pending' ? 'pending' : 'none';
}
