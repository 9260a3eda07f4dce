/** Where a subscriber connects: a router (by id or name) and/or a site, checked for create and edit. */
import { findRouter } from '../gateways/index.ts';
import type { Deps } from '../app/deps.ts';
import { AppError, isAppError } from '../lib/errors.ts';

export async function routerFor(
  deps: Deps,
  ref: number | string,
): Promise<{ id: number; site: string | null }> {
  try {
    const r = await findRouter(deps, ref);
    return { id: r.id, site: r.site ?? null };
  } catch (e) {
    // An unknown router in a form is the form's mistake (400), not a missing resource.
    if (isAppError(e) && e.code === 'not_found')
      throw new AppError(
        'validation',
        `router: There is no router "${ref}". See the Routers page or wavu routers list.`,
      );
    throw e;
  }
}
