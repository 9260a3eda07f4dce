/**
 * Staff pressed "Resend to router": queue `subscriber.sync` again, as if the row had just changed.
 * For a router that lost the secret (reset, restored from an old backup, edited by hand) or a
 * sync that gave up after its retries; the job reads the row as it is when it runs, so resending
 * is always safe. Audited, like every staff action on a subscriber.
 */
import type { Deps } from '../app/deps.ts';
import { type Actor, audit } from '../audit/index.ts';
import { findSubscriberRow, routerNames, type SubscriberView, toSubscriberView } from './repo.ts';
import { requestSync } from './sync.ts';

export async function resendSubscriber(
  deps: Deps,
  ref: number | string,
  actor: Actor,
  ip: string | null = null,
): Promise<SubscriberView> {
  const id = await deps.db.transaction(async (tx) => {
    const cur = await findSubscriberRow(tx, ref, { lock: true });
    const id = Number(cur.id);
    const job = await requestSync(tx, deps, id);
    await audit(tx, deps, {
      actor,
      action: 'subscriber.resend',
      entity: 'subscriber',
      entityId: id,
      detail: { accountNo: cur.account_no, job },
      ip,
    });
    return id;
  });
  return toSubscriberView(await findSubscriberRow(deps.db, id), deps.clock.now(), await routerNames(deps));
}
