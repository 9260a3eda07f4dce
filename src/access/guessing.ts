/**
 * Every path where someone can try codes (redeem, recover, RADIUS logins) goes through here:
 * limits per device (MAC), per source IP and for the whole system. Attempts count when they are
 * made, so a parallel burst is counted in full; a success gives its hit back, so people who type
 * their code right never run into the limit. The numbers and what they buy are worked out in
 * docs/access-codes.md.
 */
import type { Deps } from '../app/deps.ts';
import { AppError } from '../lib/errors.ts';
import { audit, CUSTOMER } from '../audit/index.ts';
import { checkRateLimit, refundRateLimit } from './rate-limit.ts';

export const GUESS_WINDOW_MS = 10 * 60_000;
export const GUESS_LIMITS = {
  /** One device: a person mistyping a few times never hits this. */
  mac: 10,
  /** One source IP: a whole hotspot can sit behind one NAT address, so this is higher. */
  ip: 60,
  /** Everyone together: the bound that holds even if MAC and IP are forged on every try. */
  global: 600,
};

export interface GuessScope {
  /** Which path, for keys and the audit log: 'redeem', 'recover', 'radius'. */
  path: string;
  mac: string | null;
  ip: string | null;
}

export interface GuessTicket {
  keys: string[];
}

/** Count an attempt; throws `rate_limited` (HTTP 429 with Retry-After) when any limit is passed. */
export async function startGuess(deps: Deps, s: GuessScope): Promise<GuessTicket> {
  const scopes: [string, number][] = [[`guess:${s.path}:all`, GUESS_LIMITS.global]];
  if (s.ip) scopes.push([`guess:${s.path}:ip:${s.ip}`, GUESS_LIMITS.ip]);
  if (s.mac) scopes.push([`guess:${s.path}:mac:${s.mac}`, GUESS_LIMITS.mac]);
  let worst = 0;
  let which = '';
  for (const [key, limit] of scopes) {
    const r = await checkRateLimit(deps.db, deps, key, limit, GUESS_WINDOW_MS);
    if (!r.allowed && r.retryAfterSeconds > worst) {
      worst = r.retryAfterSeconds;
      which = key.split(':')[2] ?? 'all';
    }
  }
  if (worst > 0) {
    await audit(deps.db, deps, {
      actor: CUSTOMER,
      action: `access.${s.path}.throttled`,
      detail: { scope: which, mac: s.mac, retryAfterSeconds: worst },
      ip: s.ip,
    });
    throw new AppError(
      'rate_limited',
      `Too many tries. Wait ${Math.ceil(worst / 60)} minute(s) and try again.`,
      {
        retryAfterSeconds: worst,
      },
    );
  }
  return { keys: scopes.map(([k]) => k) };
}

/** The attempt was right: it does not count against anyone. */
export async function guessSucceeded(deps: Deps, t: GuessTicket): Promise<void> {
  for (const k of t.keys) await refundRateLimit(deps.db, k);
}

/** The attempt was wrong: keep the hit and leave a trace for the operator. */
export async function guessFailed(
  deps: Deps,
  s: GuessScope,
  reason: string,
  extra: object = {},
): Promise<void> {
  await audit(deps.db, deps, {
    actor: CUSTOMER,
    action: `access.${s.path}.failed`,
    detail: { reason, mac: s.mac, ...extra },
    ip: s.ip,
  });
}
