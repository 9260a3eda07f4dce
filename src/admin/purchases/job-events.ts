/**
 * A router job on a payment's timeline, as the event it is ("Access given on the router"), not
 * its job name and state ("gateway.grant: done"): staff read the timeline, not the job table.
 */
const ACTIONS: Record<string, { doing: string; done: string }> = {
  'gateway.grant': { doing: 'Giving access on the router', done: 'Access given on the router' },
  'gateway.revoke': { doing: 'Removing access from the router', done: 'Access removed from the router' },
  'gateway.disconnect': { doing: 'Disconnecting the device', done: 'Device disconnected' },
  'gateway.refresh': { doing: 'Updating the code on the router', done: 'Code updated on the router' },
  'gateway.release-device': { doing: 'Releasing a device', done: 'Device released from the code' },
};

const tries = (n: number) => `${n} ${n === 1 ? 'try' : 'tries'}`;

export function jobEvent(j: { kind: string; status: string; attempts: number }): string {
  const a = ACTIONS[j.kind] ?? { doing: 'Router task', done: 'Router task done' };
  if (j.status === 'done') return a.done;
  if (j.status === 'dead') return `${a.doing} failed after ${tries(j.attempts)}`;
  if (j.status === 'running') return `${a.doing}…`;
  return j.attempts > 0 ? `${a.doing}: retrying (${tries(j.attempts)} so far)` : `${a.doing}: queued`;
}

/** The last grant for the code failed or is failing: the one case "Retry grant" is the next step. */
export function grantFailing(jobs: { kind: string; status: string; last_error: string | null }[]): boolean {
  const last = jobs.filter((j) => j.kind === 'gateway.grant').at(-1);
  return !!last && (last.status === 'dead' || (last.status !== 'done' && !!last.last_error));
}
