import { eq } from 'drizzle-orm';
import type { Deps } from '../../app/deps.ts';
import { type Actor, audit } from '../../audit/index.ts';
import { pgErrorCode } from '../../db/open.ts';
import { routers } from '../../db/schema.ts';
import { findRouter } from './get-router.ts';

/**
 * Delete a router from Wavu (the router itself is not touched). One that payments or sessions
 * refer to is kept for the record and disabled instead, so history stays intact. Either change
 * commits with its audit row; a refused delete rolls back whole, then the disable runs on its own.
 */
export async function removeRouter(
  deps: Deps,
  ref: string | number,
  by: { actor: Actor; ip?: string | null },
): Promise<{ removed: boolean; disabled: boolean }> {
  const r = await findRouter(deps, ref);
  await deps.routerConnections.drop(r.id);
  const entry = { actor: by.actor, entity: 'router', entityId: r.id, ip: by.ip };
  try {
    await deps.db.transaction(async (tx) => {
      await tx.delete(routers).where(eq(routers.id, r.id));
      await audit(tx, deps, { ...entry, action: 'router.delete' });
    });
    return { removed: true, disabled: false };
  } catch (e) {
    if (pgErrorCode(e) !== '23503') throw e;
    await deps.db.transaction(async (tx) => {
      await tx
        .update(routers)
        .set({ enabled: false, updatedAt: deps.clock.now() })
        .where(eq(routers.id, r.id));
      await audit(tx, deps, { ...entry, action: 'router.disable' });
    });
    return { removed: false, disabled: true };
  }
}
