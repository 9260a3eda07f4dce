/**
 * Is the code's user on the router right now? Asked live, for the troubleshooter: the database
 * may say `granted` while a reset router has lost it. Only gateways that hold users can say.
 */
import type { Deps } from '../app/deps.ts';
import { adapterFor } from './modes.ts';
import { routerById } from './routers/repo.ts';

export type UserPresence =
  | { state: 'present' | 'missing' }
  /** The router could not be asked: the message, as our client worded it. */
  | { state: 'unreachable'; error: string }
  /** This gateway does not hold users (radius, agent) or the router is disabled. */
  | { state: 'unknown' };

export async function userOnRouter(deps: Deps, routerId: number, username: string): Promise<UserPresence> {
  const router = await routerById(deps.db, routerId);
  if (!router?.enabled || router.mode !== 'api') return { state: 'unknown' };
  const adapter = adapterFor(deps, router);
  if (!adapter.hasUser || adapter.confirmsLater) return { state: 'unknown' };
  try {
    return { state: (await adapter.hasUser(username)) ? 'present' : 'missing' };
  } catch (e) {
    // Refused, timed out, login failed: whatever it was, the router could not be asked.
    return { state: 'unreachable', error: (e as Error).message };
  }
}
