import type { Deps } from '../app/deps.ts';
import type { Actor } from '../audit/index.ts';
import { setSubscriberState } from './set-state.ts';

/**
 * Close an account: rejected by RADIUS like a suspension, but final (kept for its payments and
 * for the churn report). The username stays taken, so history never points at someone else.
 */
export const closeSubscriber = (
  deps: Deps,
  ref: number | string,
  actor: Actor,
  ip: string | null = null,
  reason?: string | null,
) =>
  setSubscriberState(deps, ref, {
    action: 'subscriber.close',
    from: ['active', 'expired', 'suspended'],
    refusal: () => 'The account is already closed.',
    to: () => 'disconnected',
    actor,
    ip,
    reason,
  });
