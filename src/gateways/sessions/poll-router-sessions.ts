/**
 * One poll of one router: ask it for its live sessions (hotspot, and PPP where the adapter lists
 * them) and sync our rows to the answer, in one transaction. Any
 * failure to get the list (unreachable, refused login, an agent router that has stopped
 * reporting) is treated alike: the sessions are kept and marked stale, never closed, and the
 * router is marked down with the reason (shown to staff in plain words, see routers/problem.ts).
 */
import type { Deps } from '../../app/deps.ts';
import { type ActiveSession, type PppActive, wavuCallsGateway } from '../adapter.ts';
import { adapterFor } from '../modes.ts';
import { seen, withTimeout } from '../jobs.ts';
import { routerDown } from '../routers/episode.ts';
import { routerById } from '../routers/repo.ts';
import { markSessionsStale } from './mark-stale.ts';
import { type SyncResult, syncRouterSessions } from './sync-router-sessions.ts';

/** A poll that takes longer than this is a failed poll (the next one is at most one interval away). */
export const POLL_TIMEOUT_MS = 10_000;

export type PollResult = { ok: true; sync: SyncResult } | { ok: false; error: string } | { ok: null };

export async function pollRouterSessions(deps: Deps, routerId: number): Promise<PollResult> {
  const router = await routerById(deps.db, routerId);
  if (!router?.enabled || !wavuCallsGateway(router.mode)) return { ok: null };
  // The report is as of when we asked: an answer that arrives late must not beat a newer one.
  const askedAt = deps.clock.now();
  let list: ActiveSession[];
  let ppp: PppActive[] | undefined;
  try {
    const adapter = adapterFor(deps, router);
    // One poll asks for both lists; a router that answers one and not the other is not answered.
    [list, ppp] = await withTimeout(
      (async () => [await adapter.listActive(), await adapter.listPppActive?.()] as const)(),
      POLL_TIMEOUT_MS,
    );
  } catch (e) {
    const error = (e as Error).message || String(e);
    await markSessionsStale(deps.db, routerId, deps.clock.now());
    await routerDown(deps, router, error);
    deps.log.debug({ router: router.name, err: error }, 'sessions poll failed; sessions kept as stale');
    return { ok: false, error };
  }
  const sync = await syncRouterSessions(deps, routerId, list, askedAt, { ppp });
  await seen(deps, router);
  return { ok: true, sync };
}
