/**
 * Whether the connect page should hold the login back while the router is still being given the
 * access: posting the code to a router that does not have it yet fails the login and sends the
 * customer back to the portal. The wait is bounded, counted from when the code was handed over, so
 * a stuck grant delays the login, never blocks it (the router reconcile delivers it anyway).
 */
import type { Deps } from '../app/deps.ts';
import { OFFLINE_AFTER_MS } from './agent/adapter.ts';
import { agentGrantWaiting } from './agent/commands.ts';
import { grantPending } from './grants.ts';

/** How long a pushed grant (api mode) may hold the login back before it is tried anyway. */
export const GRANT_WAIT_MS = 30_000;
/** An agent router collects the grant on its next poll: up to when it would be marked offline. */
export const AGENT_GRANT_WAIT_MS = OFFLINE_AFTER_MS;

export type ConnectWait = { wait: false } | { wait: true; agent: boolean };

export async function connectWait(
  deps: Pick<Deps, 'db' | 'clock'>,
  accessCodeId: string,
  handedAt: number,
): Promise<ConnectWait> {
  // Agent routers: the user is there only once the router has acknowledged it.
  const agent = await agentGrantWaiting(deps.db, accessCodeId);
  const waitMs = agent ? AGENT_GRANT_WAIT_MS : GRANT_WAIT_MS;
  if (deps.clock.now().getTime() - handedAt >= waitMs) return { wait: false };
  if (agent || (await grantPending(deps.db, accessCodeId))) return { wait: true, agent };
  return { wait: false };
}
