import type { Deps } from '../app/deps.ts';
import type { Actor } from '../audit/index.ts';
import { setSubscriberState } from './set-state.ts';

/** Staff cut a subscriber off (RADIUS rejects them, the router drops the session) until resumed. */
export const suspendSubscriber = (
  deps: Deps,
  ref: number | string,
  actor: Actor,
  ip: string | null = null,
  reason?: string | null,
) =>
  setSubscriberState(deps, ref, {
    action: 'subscriber.suspend',
    from: ['active', 'expired'],
    refusal: (s) =>
      s === 'suspended' ? 'The subscriber is already suspended.' : 'A closed account cannot be suspended.',
    to: () => 'suspended',
    actor,
    ip,
    reason,
  });
