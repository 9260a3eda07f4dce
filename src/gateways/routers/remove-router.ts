import { eq } from 'drizzle-orm';
import type { Deps } from '../../app/deps.ts';
import { pgErrorCode } from '../../db/open.ts';
import { routers } from '../../db/schema.ts';
import { findRouter } from './get-router.ts';

/**
 * Delete a router from Wavu (the router itself is not touched). One that payments or sessions
 * refer to is kept for the record and disabled instead, so history stays intact.
 */
export async function removeRouter(
  deps: Deps,
  ref: string | number,
): Promise<{ removed: boolean; disabled: boolean }> {
  const r = await findRouter(deps, ref);
  await deps.routerConnections.drop(r.id);
  try {
    await deps.db.delete(routers).where(eq(routers.id, r.id));
    return { removed: true, disabled: false };
  } catch (e) {
    if (pgErrorCode(e) !== '23503') throw e;
    await deps.db
      .update(routers)
      .set({ enabled: false, updatedAt: deps.clock.now() })
      .where(eq(routers.id, r.id));
    return { removed: false, disabled: true };
  }
}
