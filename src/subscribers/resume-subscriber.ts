import type { Deps } from '../app/deps.ts';
import type { Actor } from '../audit/index.ts';
import { pastGrace, setSubscriberState } from './set-state.ts';

/**
 * Lift a suspension. The subscriber comes back as they would be had they never been suspended:
 * active while the due date plus grace has not passed, otherwise expired (online in the expired
 * pool until they pay). Suspension does not stop the clock on the due date.
 */
export const resumeSubscriber = (deps: Deps, ref: number | string, actor: Actor, ip: string | null = null) =>
  setSubscriberState(deps, ref, {
    action: 'subscriber.resume',
    from: ['suspended'],
    refusal: (s) => `Only a suspended subscriber can be resumed (this one is ${s}).`,
    to: (row, now) => (pastGrace(row, now) ? 'expired' : 'active'),
    actor,
    ip,
  });
