/**
 * The hotspot users each router holds right now, read live through its adapter, for the
 * reconciliation report; and the one-click removal of a user the report found. Only gateways that
 * hold users and answer at once can list (api mode over a direct or WireGuard transport); the
 * others (radius, agent, openNDS) are skipped and named as such.
 */
import type { Deps } from '../app/deps.ts';
import { type Actor, audit } from '../audit/index.ts';
import { AppError } from '../lib/errors.ts';
import type { RouterUser } from './adapter.ts';
import { adapterFor } from './modes.ts';
import { allRouters, routerById } from './routers/repo.ts';

export type RouterUsers =
  | { routerId: number; router: string; state: 'listed'; users: RouterUser[] }
  | { routerId: number; router: string; state: 'unreachable'; error: string }
  | { routerId: number; router: string; state: 'cannot_list' };

export async function listRouterUsers(deps: Deps): Promise<RouterUsers[]> {
  const out: RouterUsers[] = [];
  for (const r of await allRouters(deps.db)) {
    if (!r.enabled) continue;
    const base = { routerId: r.id, router: r.name };
    const adapter = r.mode === 'api' ? adapterFor(deps, r) : null;
    if (!adapter?.listUsers || adapter.confirmsLater) {
      out.push({ ...base, state: 'cannot_list' });
      continue;
    }
    try {
      out.push({ ...base, state: 'listed', users: await adapter.listUsers() });
    } catch (e) {
      out.push({ ...base, state: 'unreachable', error: (e as Error).message });
    }
  }
  return out;
}

export async function removeRouterUser(
  deps: Deps,
  o: { routerId: number; username: string; actor: Actor; ip: string | null },
): Promise<{ removed: true }> {
  const router = await routerById(deps.db, o.routerId);
  if (!router) throw new AppError('not_found', 'No such router.');
  const adapter = router.mode === 'api' ? adapterFor(deps, router) : null;
  if (!adapter?.removeUser || adapter.confirmsLater)
    throw new AppError('conflict', `Router ${router.name} cannot remove users from here.`);
  try {
    await adapter.removeUser(o.username);
  } catch (e) {
    throw new AppError('upstream', `Router ${router.name} did not answer: ${(e as Error).message}`);
  }
  await audit(deps.db, deps, {
    actor: o.actor,
    action: 'router.remove_user',
    entity: 'router',
    entityId: o.routerId,
    detail: { username: o.username },
    ip: o.ip,
  });
  return { removed: true };
}
