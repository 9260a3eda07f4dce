import { sql } from 'drizzle-orm';
import type { Deps } from '../app/deps.ts';
import { type Actor, audit, changesOf } from '../audit/index.ts';
import { asDate, query } from '../db/open.ts';
import { AppError } from '../lib/errors.ts';
import type { UpdateSubscriberInput } from './input.ts';
import { routerFor } from './place.ts';
import { findSubscriberRow, routerNames, type SubscriberView, toSubscriberView } from './repo.ts';
import { requestSync } from './sync.ts';

/** Fields whose change the router has to hear about (login, address, where, until when). */
const ROUTER_FIELDS = new Set(['password', 'routerId', 'staticIp', 'dueAt']);

/**
 * Change a subscriber's details (only the fields given). The plan and the state have their own
 * use cases, as each has a rule (proration, the due date) beyond storing a value.
 */
export async function updateSubscriber(
  deps: Deps,
  ref: number | string,
  input: UpdateSubscriberInput,
  actor: Actor,
  ip: string | null = null,
): Promise<SubscriberView> {
  const now = deps.clock.now();
  const router = input.router == null ? input.router : await routerFor(deps, input.router);
  const id = await deps.db.transaction(async (tx) => {
    const cur = await findSubscriberRow(tx, ref, { lock: true });
    const id = Number(cur.id);
    const next: Record<string, unknown> = {};
    if (input.name !== undefined) next.name = input.name;
    if (input.phone !== undefined) next.phone = input.phone;
    if (input.router !== undefined) next.routerId = router?.id ?? null;
    if (input.site !== undefined) next.site = input.site;
    if (input.staticIp !== undefined) next.staticIp = input.staticIp;
    if (input.autoRenew !== undefined) next.autoRenew = input.autoRenew;
    if (input.dueAt !== undefined) next.dueAt = input.dueAt;
    const before: Record<string, unknown> = {
      name: cur.name ?? null,
      phone: cur.phone ?? null,
      routerId: cur.router_id == null ? null : Number(cur.router_id),
      site: cur.site ?? null,
      staticIp: cur.static_ip ?? null,
      autoRenew: cur.auto_renew === true || cur.auto_renew === 't',
      dueAt: asDate(cur.due_at),
    };
    const changes = changesOf(before, next);
    // A password is never written to the log, only that it changed.
    if (input.password !== undefined) changes.password = { from: '(sealed)', to: '(changed)' };
    const after = { ...before, ...next };
    if (after.routerId == null && after.site == null)
      throw new AppError('validation', 'router: Keep a router or a site for the subscriber.');
    if (!Object.keys(changes).length) return id;
    await query(
      tx,
      sql`UPDATE subscribers SET name = ${after.name as string | null}, phone = ${after.phone as string | null},
            router_id = ${after.routerId as number | null}, site = ${after.site as string | null},
            static_ip = ${after.staticIp as string | null}, auto_renew = ${after.autoRenew as boolean},
            due_at = ${after.dueAt as Date},
            password_sealed = ${input.password === undefined ? (cur.password_sealed as string) : deps.sealer.seal(input.password)},
            updated_at = ${now}
          WHERE id = ${id}`,
    );
    if (Object.keys(changes).some((k) => ROUTER_FIELDS.has(k))) await requestSync(tx, deps, id);
    await audit(tx, deps, {
      actor,
      action: 'subscriber.update',
      entity: 'subscriber',
      entityId: id,
      detail: Object.fromEntries(
        Object.entries(changes).map(([k, c]) => [
          k,
          {
            from: c.from instanceof Date ? c.from.toISOString() : c.from,
            to: c.to instanceof Date ? c.to.toISOString() : c.to,
          },
        ]),
      ),
      ip,
    });
    return id;
  });
  return toSubscriberView(await findSubscriberRow(deps.db, id), now, await routerNames(deps));
}
