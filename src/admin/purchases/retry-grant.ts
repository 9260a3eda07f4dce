/**
 * "Paid but not online": put the purchase's access on a router again. The router side belongs to
 * the gateways feature; this only enqueues its `gateway.grant` job (idempotent there) and records
 * who asked. Each retry gets its own job key so a second click after a failure runs again.
 */
import { sql } from 'drizzle-orm';
import type { Deps } from '../../app/deps.ts';
import { query } from '../../db/open.ts';
import { GRANT_JOB, routerById } from '../../gateways/index.ts';
import { AppError } from '../../lib/errors.ts';
import { type Actor, audit } from '../../audit/index.ts';

export async function retryGrant(
  deps: Deps,
  o: { purchaseId: string; routerId?: number | undefined; actor: Actor; ip: string | null },
): Promise<{ jobId: number | null; routerId: number; accessCodeId: string }> {
  return deps.db.transaction(async (tx) => {
    const rows = await query<{
      status: string;
      access_code_id: string | null;
      router_id: number | null;
      code_status: string | null;
    }>(
      tx,
      sql`SELECT p.status, p.access_code_id, p.router_id, c.status AS code_status
          FROM purchases p LEFT JOIN access_codes c ON c.id = p.access_code_id WHERE p.id = ${o.purchaseId}`,
    );
    const p = rows[0];
    if (!p) throw new AppError('not_found', 'No such purchase.');
    if (p.status !== 'paid' || !p.access_code_id)
      throw new AppError('conflict', 'Only a paid purchase has access to grant.');
    if (p.code_status !== 'issued' && p.code_status !== 'active')
      throw new AppError('conflict', `Its access code is ${p.code_status}; there is nothing to grant.`);
    const routerId = o.routerId ?? p.router_id;
    if (!routerId) throw new AppError('conflict', 'No router is known for this purchase. Pick one.');
    if (!(await routerById(tx, routerId))) throw new AppError('not_found', 'No such router.');
    const now = deps.clock.now();
    const jobId = await deps.enqueue(
      tx,
      GRANT_JOB,
      { accessCodeId: p.access_code_id, routerId },
      { key: `gateway.grant:retry:${p.access_code_id}:${routerId}:${now.getTime()}` },
    );
    await audit(tx, deps, {
      actor: o.actor,
      action: 'purchase.retry_grant',
      entity: 'purchase',
      entityId: o.purchaseId,
      detail: { accessCodeId: p.access_code_id, routerId },
      ip: o.ip,
    });
    return { jobId, routerId, accessCodeId: p.access_code_id };
  });
}
