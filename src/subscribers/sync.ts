/**
 * The one side effect of every change to a subscriber's state, plan, password or router: a
 * `subscriber.sync` job, written on the change's own transaction, that makes the router match the
 * row (the gateways/RADIUS side defines its handler). No idempotency key: each change asks again,
 * and a handler that reads the current row is harmless to run twice.
 */
import type { Deps } from '../app/deps.ts';
import type { Conn } from '../db/open.ts';
import { SYNC_JOB } from './job-kinds.ts';

export const requestSync = (tx: Conn, deps: Pick<Deps, 'enqueue'>, subscriberId: number) =>
  deps.enqueue(tx, SYNC_JOB, { subscriberId });
