/**
 * The report's one-click fixes. Each goes through the use case that owns the change (the credit
 * path's code issue, the grant retry, the router's user removal, the session kick), which audits
 * it; `flag` records that staff handled a discrepancy that has no automatic fix (money to refund
 * or settle by hand) and is audited here.
 */
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Deps } from '../../app/deps.ts';
import { type Actor, actorName, audit } from '../../audit/index.ts';
import { removeRouterUser } from '../../gateways/index.ts';
import { creditReceivedPayment } from '../../payments/index.ts';
import { creditUnledgeredPurchase, enforceDueDates } from '../../subscribers/index.ts';
import { retryGrant } from '../purchases/retry-grant.ts';
import { disconnectSession } from '../sessions/disconnect-session.ts';
import { DISCREPANCY_KINDS } from './report.ts';

export const fixSchema = z.discriminatedUnion('action', [
  z.object({ action: z.literal('credit-payment'), inboxId: z.number().int().positive() }),
  z.object({ action: z.literal('retry-grant'), purchaseId: z.string().uuid() }),
  z.object({
    action: z.literal('remove-router-user'),
    routerId: z.number().int().positive(),
    username: z.string().min(1).max(100),
  }),
  z.object({ action: z.literal('disconnect-session'), sessionId: z.string().uuid() }),
  z.object({ action: z.literal('credit-subscription'), purchaseId: z.string().uuid() }),
  z.object({ action: z.literal('enforce-due-dates') }),
  z.object({
    action: z.literal('flag'),
    kind: z.enum(DISCREPANCY_KINDS),
    ref: z.string().min(1).max(200),
    note: z.string().trim().max(300).optional(),
  }),
]);

export async function fixDiscrepancy(
  deps: Deps,
  fix: z.output<typeof fixSchema>,
  o: { actor: Actor; ip: string | null },
): Promise<{ done: string }> {
  switch (fix.action) {
    case 'credit-payment':
      await creditReceivedPayment(deps, { inboxId: fix.inboxId, ...o });
      return { done: 'The access code was issued and sent to the customer.' };
    case 'retry-grant':
      await retryGrant(deps, { purchaseId: fix.purchaseId, ...o });
      return { done: 'The code is on its way to the router.' };
    case 'remove-router-user':
      await removeRouterUser(deps, { routerId: fix.routerId, username: fix.username, ...o });
      return { done: `User ${fix.username} was removed from the router.` };
    case 'disconnect-session':
      await disconnectSession(deps, { sessionId: fix.sessionId, ...o });
      return { done: 'The device is being disconnected.' };
    case 'credit-subscription': {
      const applied = await deps.db.transaction(async (tx) => {
        const a = await creditUnledgeredPurchase(tx, deps, fix.purchaseId);
        if (a)
          await audit(tx, deps, {
            actor: o.actor,
            action: 'reconciliation.credit_subscription',
            entity: 'purchase',
            entityId: fix.purchaseId,
            detail: { periods: a.periods, dueAfter: a.dueAfter.toISOString() },
            ip: o.ip,
          });
        return a;
      });
      return {
        done: applied
          ? `Credited: ${applied.periods} period${applied.periods === 1 ? '' : 's'}, due ${applied.dueAfter.toISOString().slice(0, 10)}.`
          : 'Already credited; nothing to do.',
      };
    }
    case 'enforce-due-dates': {
      // The job's own use case: it audits each subscriber it moves and queues their router sync.
      const moved = await enforceDueDates(deps);
      await audit(deps.db, deps, {
        actor: o.actor,
        action: 'reconciliation.enforce_due_dates',
        entity: 'subscriber',
        entityId: null,
        detail: { moved },
        ip: o.ip,
      });
      return { done: `${moved} subscriber${moved === 1 ? '' : 's'} moved to the expired pool.` };
    }
    case 'flag':
      await deps.db.transaction(async (tx) => {
        await tx.execute(
          sql`INSERT INTO reconciliation_flags (kind, ref, note, flagged_by, flagged_at)
              VALUES (${fix.kind}, ${fix.ref}, ${fix.note ?? null}, ${actorName(o.actor)}, ${deps.clock.now()})
              ON CONFLICT (kind, ref) DO NOTHING`,
        );
        await audit(tx, deps, {
          actor: o.actor,
          action: 'reconciliation.flag',
          entity: fix.kind,
          entityId: fix.ref,
          detail: fix.note ? { note: fix.note } : undefined,
          ip: o.ip,
        });
      });
      return { done: 'Marked as handled.' };
  }
}
