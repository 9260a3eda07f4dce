/**
 * Staff opened the Sessions page: poll every api-mode router now rather than at the next slot.
 * It only enqueues (one fan-out job, deduplicated per REQUEST_WINDOW_MS, so a page refreshing or
 * many staff looking at once cost one poll per router per window) and returns at once: the page
 * shows what is stored, and the fresh answer a moment later on its next refresh. Waiting for slow
 * or unreachable routers would hold every page open for up to the poll timeout.
 */
import type { Deps } from '../../app/deps.ts';
import { SESSIONS_FANOUT_JOB } from '../job-kinds.ts';

export const REQUEST_WINDOW_MS = 5_000;

export async function requestSessionsPoll(deps: Deps): Promise<boolean> {
  const window = Math.floor(deps.clock.now().getTime() / REQUEST_WINDOW_MS);
  const slot = `view:${window}`;
  const id = await deps.enqueue(deps.db, SESSIONS_FANOUT_JOB, { slot }, { key: `sessions:${slot}` });
  return id !== null;
}
