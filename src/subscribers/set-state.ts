/**
 * The one way staff move a subscriber between states (suspend, resume, close): lock the row,
 * check the move is allowed from where it is, store it, ask the router to follow, audit it.
 */
import { sql } from 'drizzle-orm';
import type { Deps } from '../app/deps.ts';
import { type Actor, audit } from '../audit/index.ts';
import { asDate, query } from '../db/open.ts';
import { AppError } from '../lib/errors.ts';
import type { SubscriberState } from './input.ts';
import {
  findSubscriberRow,
  routerNames,
  type SubscriberRow,
  type SubscriberView,
  toSubscriberView,
} from './repo.ts';
import { requestSync } from './sync.ts';

export async function setSubscriberState(
  deps: Deps,
  ref: number | string,
  o: {
    action: string;
    /** States the move may start from, and why not otherwise. */
    from: readonly SubscriberState[];
    refusal: (state: SubscriberState) => string;
    to: (row: SubscriberRow, now: Date) => SubscriberState;
    actor: Actor;
    ip: string | null;
    reason?: string | null | undefined;
  },
): Promise<SubscriberView> {
  const now = deps.clock.now();
  const id = await deps.db.transaction(async (tx) => {
    const cur = await findSubscriberRow(tx, ref, { lock: true });
    const state = cur.state as SubscriberState;
    if (!o.from.includes(state)) throw new AppError('conflict', o.refusal(state));
    const to = o.to(cur, now);
    const id = Number(cur.id);
    await query(tx, sql`UPDATE subscribers SET state = ${to}, updated_at = ${now} WHERE id = ${id}`);
    await requestSync(tx, deps, id);
    await audit(tx, deps, {
      actor: o.actor,
      action: o.action,
      entity: 'subscriber',
      entityId: id,
      detail: { accountNo: cur.account_no, from: state, to, ...(o.reason ? { reason: o.reason } : {}) },
      ip: o.ip,
    });
    return id;
  });
  return toSubscriberView(await findSubscriberRow(deps.db, id), now, await routerNames(deps));
}

/** Past the due date plus the plan's grace days: the subscriber belongs in the expired pool. */
export const pastGrace = (row: SubscriberRow, now: Date): boolean =>
  now.getTime() >= asDate(row.due_at).getTime() + Number(row.grace_days) * 86_400_000;
