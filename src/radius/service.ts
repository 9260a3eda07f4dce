/**
 * The RADIUS server as the `radius` role runs it: hotspot and PPP requests on the UDP ports, the
 * NAS directory kept fresh by NOTIFY. Apart from module.ts so that only that role loads it.
 */
import type { Deps } from '../app/deps.ts';
import { INTERIM_SECONDS, markRouterSeen } from '../gateways/index.ts';
import {
  closePppSessionsOnNasRestart,
  isPppAccounting,
  isPppRequest,
  pppAccess,
  pppAccounting,
} from '../subscribers/index.ts';
import { accessRequestHandler } from './access-request.ts';
import { accountingHandler } from './accounting.ts';
import { measuredHandlers } from './metrics.ts';
import { NasDirectory } from './nas.ts';
import { type RadiusRequest, type RadiusServer, startRadiusServer } from './server.ts';

export interface RadiusServiceOptions {
  host?: string;
  /** Override the configured ports; 0 = any free port (tests), null = off. */
  authPort?: number | null;
  acctPort?: number | null;
  interimSeconds?: number;
  /** NAS snapshot lifetime and the minimum gap between reloads on a miss (ms). */
  nasCache?: { ttlMs: number; missReloadMs: number };
}

export async function startRadiusService(deps: Deps, o: RadiusServiceOptions = {}): Promise<RadiusServer> {
  const interimSeconds = o.interimSeconds ?? INTERIM_SECONDS;
  const seen = new Map<number, number>();
  // Health = when we last heard from the router. Written at most every 30 s per router and outside
  // the accounting transaction, so the routers row never becomes a hot lock.
  const markSeen = (routerId: number) => {
    const t = performance.now();
    if ((seen.get(routerId) ?? Number.NEGATIVE_INFINITY) > t - 30_000) return;
    seen.set(routerId, t);
    markRouterSeen(deps.db, routerId, deps.clock.now()).catch((e) =>
      deps.log.warn({ err: e }, 'could not record router last seen'),
    );
  };
  const hotspotAccess = accessRequestHandler(deps, { interimSeconds });
  const hotspotAccounting = accountingHandler(deps, markSeen);
  // PPP subscribers (PPPoE) have their own path; a User-Name that is no subscriber's stays a
  // hotspot request, so only PPP-framed requests pay for the one lookup.
  const access = async (req: RadiusRequest) =>
    (isPppRequest(req.packet) ? await pppAccess(deps, req) : undefined) ?? hotspotAccess(req);
  const accounting = async (req: RadiusRequest) => {
    const ppp = isPppAccounting(req) ? await pppAccounting(deps, req) : undefined;
    if (!ppp) {
      await closePppSessionsOnNasRestart(deps, req);
      return hotspotAccounting(req);
    }
    markSeen(req.nas.routerId);
    return ppp;
  };
  const fromConfig = (p: number) => (p === 0 ? null : p);
  const log = deps.log.child({ component: 'radius' });
  // Edits reach the cache by NOTIFY (nas.follow), so the snapshot may live longer than the
  // per-packet query it saves would suggest; the TTL only covers a lost listening connection.
  const nas = new NasDirectory({ ...deps, log }, o.nasCache?.ttlMs ?? 30_000, o.nasCache?.missReloadMs);
  const unfollow = await nas.follow(deps.database).catch((e) => {
    log.warn({ err: e }, 'cannot listen for router changes; the RADIUS router cache relies on its TTL');
    return async () => {};
  });
  // Loaded now so that routers open to any address are warned about at start.
  await nas.load().catch((e) => log.warn({ err: e }, 'could not load the RADIUS routers yet'));
  const server = await startRadiusServer({
    log,
    nas,
    host: o.host ?? deps.config.host,
    authPort: o.authPort !== undefined ? o.authPort : fromConfig(deps.config.radius.authPort),
    acctPort: o.acctPort !== undefined ? o.acctPort : fromConfig(deps.config.radius.acctPort),
    handlers: measuredHandlers(deps.metrics, {
      async access(req) {
        const r = await access(req);
        markSeen(req.nas.routerId);
        return r;
      },
      accounting,
    }),
  });
  return {
    ...server,
    async stop() {
      await server.stop();
      await unfollow();
    },
  };
}
