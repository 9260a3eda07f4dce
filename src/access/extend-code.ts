/**
 * Staff give a customer minutes (a router was down and they lost time, goodwill at the counter).
 * Only a code that still works can be extended: one that has run out or was cancelled is gone
 * from the routers, and giving it back is a new sale, not an extension. Audited with who and why.
 */
import { sql } from 'drizzle-orm';
import type { Deps } from '../app/deps.ts';
import { asDate, query } from '../db/open.ts';
import { AppError } from '../lib/errors.ts';
import { type Actor, audit } from '../audit/index.ts';
import { enqueueGrant } from './grant.ts';
import { type LiveCode, lengthenCode } from './lengthen.ts';

/** A day at most per press: more is a sale, and a slip of the keyboard should not give a month. */
export const MAX_EXTEND_MINUTES = 24 * 60;

export interface ExtendInput {
  accessCodeId: string;
  minutes: number;
  reason?: string | undefined;
  actor: Actor;
  ip?: string | null | undefined;
}

export interface ExtendResult {
  accessCodeId: string;
  minutes: number;
  /** The new end, for a clock that has started; null while it has not. */
  expiresAt: Date | null;
}

export async function extendCode(deps: Deps, input: ExtendInput): Promise<ExtendResult> {
  if (!Number.isSafeInteger(input.minutes) || input.minutes < 1 || input.minutes > MAX_EXTEND_MINUTES)
    throw new AppError('validation', `minutes: a whole number from 1 to ${MAX_EXTEND_MINUTES}`);
  return deps.db.transaction(async (tx) => {
    const now = deps.clock.now();
    const [c] = await query<
      Omit<LiveCode, 'status'> & { status: string; used_seconds: number; duration_seconds: number }
    >(
      tx,
      sql`SELECT id, status, clock, expires_at, used_seconds, duration_seconds FROM access_codes
          WHERE id = ${input.accessCodeId} FOR UPDATE`,
    );
    if (!c) throw new AppError('not_found', 'There is no such code.');
    const ranOut =
      c.status === 'expired' ||
      (c.expires_at !== null && asDate(c.expires_at) <= now) ||
      Number(c.used_seconds) >= Number(c.duration_seconds);
    if (c.status === 'revoked')
      throw new AppError('conflict', 'This code was cancelled; it cannot be extended.');
    if (ranOut)
      throw new AppError(
        'conflict',
        'This code has already run out; sell the customer a new package instead.',
      );
    const reason = `staff:${now.getTime()}`;
    const { expiresAt } = await lengthenCode(tx, deps, c as LiveCode, {
      seconds: input.minutes * 60,
      bytes: 0,
      reason,
    });
    // api routers hold the code's remaining time (limit-uptime): push the new one where it is.
    const routers = await query<{ router_id: number }>(
      tx,
      sql`SELECT g.router_id FROM access_grants g JOIN routers r ON r.id = g.router_id
          WHERE g.access_code_id = ${c.id} AND g.status IN ('pending', 'granted') AND r.mode = 'api'`,
    );
    for (const r of routers) await enqueueGrant(tx, deps, c.id, Number(r.router_id), reason);
    await audit(tx, deps, {
      actor: input.actor,
      action: 'access.extend',
      entity: 'access_code',
      entityId: c.id,
      detail: {
        minutes: input.minutes,
        expiresAt: expiresAt?.toISOString() ?? null,
        reason: input.reason ?? null,
      },
      ip: input.ip ?? null,
    });
    return { accessCodeId: c.id, minutes: input.minutes, expiresAt };
  });
}
