/**
 * Redeem a code from the portal or RADIUS: throttle, decide (authorizeCode activates, binds and
 * grants), and leave an audit trail of failures. The code typed is never logged or audited.
 */
import type { Deps } from '../app/deps.ts';
import { AppError } from '../lib/errors.ts';
import { normalizeMac } from '../lib/mac.ts';
import { type AccessDecision, authorizeCode } from './authorize.ts';
import { guessFailed, guessSucceeded, startGuess } from './guessing.ts';

export interface RedeemInput {
  code: string;
  /** Typed with the code, for a voucher imported with its own password. */
  password?: string | null | undefined;
  mac: string;
  /** The client's address as the router saw it (informational). */
  ip?: string | null | undefined;
  /** The address the request came from (rate limits). */
  sourceIp?: string | null | undefined;
  routerId?: number | null | undefined;
}

export async function redeemCode(deps: Deps, input: RedeemInput): Promise<AccessDecision> {
  const mac = normalizeMac(input.mac);
  if (!mac) throw new AppError('validation', 'mac: not a device (MAC) address');
  const scope = { path: 'redeem', mac, ip: input.sourceIp ?? input.ip ?? null };
  const ticket = await startGuess(deps, scope);
  const decision = await authorizeCode(deps, {
    code: input.code,
    password: input.password,
    mac,
    routerId: input.routerId ?? null,
  });
  if (decision.ok) await guessSucceeded(deps, ticket);
  else
    await guessFailed(deps, scope, decision.reason, {
      routerId: input.routerId ?? null,
      clientIp: input.ip ?? null,
    });
  return decision;
}
