import type { Deps } from '../../app/deps.ts';
import { AppError } from '../../lib/errors.ts';
import type { RouterRow } from '../adapter.ts';
import { routerById, routerByName, type RouterView, toView } from './repo.ts';

/** By id (number or digits) or by name. */
export async function findRouter(deps: Deps, ref: string | number): Promise<RouterRow> {
  const r =
    typeof ref === 'number' || /^\d+$/.test(ref)
      ? ((await routerById(deps.db, Number(ref))) ?? (await routerByName(deps.db, String(ref))))
      : await routerByName(deps.db, ref);
  if (!r) throw new AppError('not_found', `No router called "${ref}". See the list with: wavu routers list`);
  return r;
}

export async function getRouter(deps: Deps, ref: string | number): Promise<RouterView> {
  return toView(await findRouter(deps, ref));
}
