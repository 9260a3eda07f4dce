import { sql } from 'drizzle-orm';
import type { Deps } from '../app/deps.ts';
import { type Actor, audit } from '../audit/index.ts';
import { query } from '../db/open.ts';
import { AppError } from '../lib/errors.ts';

/**
 * A plan anyone is (or was) subscribed to stays, as their rows point at it: it is retired instead
 * (no longer offered, not the default). A plan nobody used is deleted.
 */
export async function deleteServicePlan(deps: Deps, id: number, actor: Actor, ip: string | null = null) {
  return deps.db.transaction(async (tx) => {
    const [cur] = await query<{ name: string }>(
      tx,
      sql`SELECT name FROM service_plans WHERE id = ${id} FOR UPDATE`,
    );
    if (!cur) throw new AppError('not_found', 'No such service plan.');
    const [used] = await query<{ used: boolean }>(
      tx,
      sql`SELECT EXISTS (SELECT 1 FROM subscribers WHERE service_plan_id = ${id}) AS used`,
    );
    const retire = used!.used === true || (used!.used as unknown) === 't';
    if (retire)
      await query(
        tx,
        sql`UPDATE service_plans SET active = false, updated_at = ${deps.clock.now()} WHERE id = ${id}`,
      );
    else await query(tx, sql`DELETE FROM service_plans WHERE id = ${id}`);
    await audit(tx, deps, {
      actor,
      action: retire ? 'service-plan.retire' : 'service-plan.delete',
      entity: 'service_plan',
      entityId: id,
      detail: { name: cur.name },
      ip,
    });
    return { deleted: !retire, retired: retire };
  });
}
