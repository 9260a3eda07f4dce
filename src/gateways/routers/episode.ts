/**
 * A router problem is logged once per episode: a warning when it stops answering, one more when
 * it answers again (src/lib/episodes.ts). Every path that finds a router down or up comes here,
 * so a router down for an hour under a grant retry, a health check and a sessions poll every
 * few seconds still makes two lines.
 */
import type { Deps } from '../../app/deps.ts';
import { markDown } from './repo.ts';

export async function routerDown(
  deps: Deps,
  router: { id: number; name: string },
  error: string,
): Promise<void> {
  await markDown(deps.db, router.id, error);
  logRouterDown(deps, router, error);
}

/** Log the problem only (the caller records the state itself, e.g. with the health facts). */
export function logRouterDown(deps: Deps, router: { id: number; name: string }, error: string): void {
  deps.episodes.failed(`router:${router.id}`, { router: router.name, error }, 'router not answering');
}

export function routerAnswers(deps: Deps, router: { id: number; name: string }): void {
  deps.episodes.recovered(`router:${router.id}`, { router: router.name }, 'router answers again');
}
