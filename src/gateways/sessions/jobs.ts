/**
 * Session polling jobs (api-mode routers have no accounting, so we ask them):
 *   gateway.sessions       every SESSION_POLL_SECONDS, and when staff open the Sessions page:
 *                          one gateway.sessions.poll per api-mode router, keyed by the slot, so a
 *                          slow or dead router never holds up the others and no node doubles one
 *   gateway.sessions.poll  { routerId }: list the router's live sessions and sync them
 * Both run once per key (maxAttempts 1): the next slot is the retry.
 */
import type { Deps } from '../../app/deps.ts';
import { handler } from '../../jobs/define.ts';
import type { JobDefinition, RecurringJob } from '../../jobs/types.ts';
import { SESSIONS_FANOUT_JOB, SESSIONS_POLL_JOB } from '../job-kinds.ts';
import { allRouters } from '../routers/repo.ts';
import { wavuCallsGateway } from '../adapter.ts';
import { pollRouterSessions } from './poll-router-sessions.ts';

/** Enqueue one poll per enabled api-mode router, deduplicated by `slot` (a string naming the window). */
export async function enqueueSessionPolls(deps: Deps, slot: string): Promise<number> {
  let n = 0;
  for (const r of await allRouters(deps.db)) {
    if (!r.enabled || !wavuCallsGateway(r.mode)) continue;
    const id = await deps.enqueue(
      deps.db,
      SESSIONS_POLL_JOB,
      { routerId: r.id },
      { key: `sessions:${r.id}:${slot}` },
    );
    if (id !== null) n++;
  }
  return n;
}

export function sessionJobs(deps: Deps): JobDefinition[] {
  const everyMs = deps.config.sessionPollSeconds * 1000;
  return [
    handler(SESSIONS_FANOUT_JOB, async (p) => {
      const slot = p.slot ?? `every:${Math.floor(deps.clock.now().getTime() / everyMs)}`;
      await enqueueSessionPolls(deps, slot);
    }),
    handler(SESSIONS_POLL_JOB, async (p) => {
      await pollRouterSessions(deps, p.routerId);
    }),
  ];
}

export function sessionRecurring(deps: Deps): RecurringJob[] {
  return [{ job: SESSIONS_FANOUT_JOB, everyMs: deps.config.sessionPollSeconds * 1000 }];
}
