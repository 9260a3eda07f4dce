/**
 * `subscriber.sync` { subscriberId }: make the subscriber's router(s) match the row. Enqueued
 * with every change of state, plan or password (F, I and the enforcement job).
 *  - radius routers: a live session whose state changed is ended by Disconnect-Request, so the
 *    PPP client re-dials and the next Accept puts it in the right pool at the right rate; a
 *    session whose state is the same gets the new rate and Session-Timeout by CoA (a payment
 *    does not kick a subscriber who is online), or is ended when the router refuses the CoA.
 *  - api routers: the `/ppp secret` is upserted (password, rate profile or the expired profile,
 *    static address, disabled when suspended or closed) and `/ppp active` removed when the state
 *    changed.
 * What was pushed is remembered (synced_state, synced_rate) only after the router calls succeed,
 * so a failed run is retried by the job and a later run still sees the change.
 */
import { sql } from 'drizzle-orm';
import type { Deps } from '../app/deps.ts';
import { query } from '../db/open.ts';
import {
  adapterFor,
  DEFAULT_EXPIRED_POOL,
  EXPIRED_POOL_SETTING,
  findRouter,
  type PppSecretSpec,
} from '../gateways/index.ts';
import { rateLimit } from './ppp-rules.ts';

interface SyncRow {
  id: number;
  account_no: string;
  username: string;
  password_sealed: string;
  state: 'active' | 'suspended' | 'expired' | 'disconnected';
  due_at: unknown;
  router_id: number | null;
  static_ip: string | null;
  throttled: boolean;
  synced_state: string | null;
  synced_rate: string | null;
  rate_up_kbps: number;
  rate_down_kbps: number;
  fair_use_up_kbps: number | null;
  fair_use_down_kbps: number | null;
  grace_days: number;
  expired_pool: string | null;
}

interface LiveSession {
  router_id: number;
  session_key: string;
  framed_ip: string | null;
  started_at: unknown;
}

export async function syncSubscriber(deps: Deps, subscriberId: number): Promise<void> {
  const [s] = await query<SyncRow>(
    deps.db,
    sql`SELECT s.id, s.account_no, s.username, s.password_sealed, s.state, s.due_at, s.router_id, s.static_ip,
               s.throttled, s.synced_state, s.synced_rate, p.rate_up_kbps, p.rate_down_kbps,
               p.fair_use_up_kbps, p.fair_use_down_kbps, p.grace_days,
               (SELECT value #>> '{}' FROM settings WHERE key = ${EXPIRED_POOL_SETTING}) AS expired_pool
        FROM subscribers s JOIN service_plans p ON p.id = s.service_plan_id WHERE s.id = ${subscriberId}`,
  );
  if (!s) return;
  const now = deps.clock.now();
  const rate = rateLimit(s);
  const stateChanged = s.synced_state !== s.state;
  const rateChanged = s.synced_rate !== rate;
  const live = await query<LiveSession>(
    deps.db,
    sql`SELECT router_id, session_key, framed_ip, started_at FROM ppp_sessions
        WHERE subscriber_id = ${s.id} AND stopped_at IS NULL AND router_id IS NOT NULL ORDER BY id`,
  );
  const routerIds = new Set<number>(live.map((l) => Number(l.router_id)));
  if (s.router_id !== null) routerIds.add(Number(s.router_id));
  const endsAt = new Date(s.due_at as string).getTime() + Number(s.grace_days) * 86_400_000;
  for (const routerId of routerIds) {
    const router = await findRouter(deps, routerId);
    if (!router.enabled) continue;
    const adapter = adapterFor(deps, router);
    if (router.mode === 'radius') {
      for (const l of live.filter((x) => Number(x.router_id) === routerId)) {
        const ref = { acctSessionId: l.session_key, username: s.username, ip: l.framed_ip };
        let keep = !stateChanged && s.state === 'active' && !!adapter.changeSession;
        if (keep) {
          // Session-Timeout counts from the session's start: its uptime plus what is left now.
          const uptime = Math.max(
            0,
            Math.floor((now.getTime() - new Date(l.started_at as string).getTime()) / 1000),
          );
          const left = Math.max(1, Math.floor((endsAt - now.getTime()) / 1000));
          keep = await adapter.changeSession!(ref, { rateLimit: rate, sessionTimeout: uptime + left });
        }
        if (!keep) await adapter.disconnect(ref);
      }
    } else if (router.mode === 'api' && adapter.putPppSecret) {
      await adapter.putPppSecret(secretSpec(deps, s, rate));
      if (stateChanged && adapter.removePppActive) await adapter.removePppActive(s.username);
    }
  }
  await deps.db.execute(
    sql`UPDATE subscribers SET synced_state = ${s.state}, synced_rate = ${rate} WHERE id = ${s.id}`,
  );
  if (stateChanged || rateChanged)
    deps.log.info({ subscriberId: s.id, state: s.state, rate }, 'subscriber synced to the router');
}

/** Rate profiles Wavu keeps on api routers are named after the rate, so plans can share them. */
export const rateProfileName = (rate: string) => `wavu-${rate.replace('/', '-')}`;

function secretSpec(deps: Deps, s: SyncRow, rate: string): PppSecretSpec {
  const expired =
    s.state === 'expired' ||
    (s.state === 'active' &&
      new Date(s.due_at as string).getTime() + Number(s.grace_days) * 86_400_000 <=
        deps.clock.now().getTime());
  return {
    name: s.username,
    password: deps.sealer.unseal(s.password_sealed),
    // The expired profile is the operator's (docs/pppoe-setup.md): its pool is the redirected one.
    profile: expired ? s.expired_pool || DEFAULT_EXPIRED_POOL : rateProfileName(rate),
    rateLimit: expired ? null : rate,
    remoteAddress: expired ? null : s.static_ip,
    disabled: s.state === 'suspended' || s.state === 'disconnected',
    comment: `wavu-sub:${s.id} ${s.account_no}`,
  };
}
