/**
 * Every path where someone can try codes (redeem, recover, RADIUS logins) goes through here:
 * limits per device (MAC), per source IP and for the whole system. Attempts count when they are
 * made, so a parallel burst is counted in full; a success gives its hit back, so people who type
 * their code right never run into the limit. The numbers and what they buy are worked out in
 * docs/access-codes.md.
 */
import { sql } from 'drizzle-orm';
import type { Deps } from '../app/deps.ts';
import { type Conn, query } from '../db/open.ts';
import { AppError } from '../lib/errors.ts';
import { audit, CUSTOMER } from '../audit/index.ts';

export const GUESS_WINDOW_MS = 10 * 60_000;
export const GUESS_LIMITS = {
  /** One device: a person mistyping a few times never hits this. */
  mac: 10,
  /** One source IP: a whole hotspot can sit behind one NAT address, so this is higher. */
  ip: 60,
  /** Everyone together: the bound that holds even if MAC and IP are forged on every try. */
  global: 600,
};
/**
 * Rows the global counter is spread over. Every attempt on a path hits it, so as one row it was a
 * lock every login queued on; spread at random over 16 rows sharing one clock-aligned window
 * (guess_count in migration 0940), their sum is the same fixed-window count.
 */
export const GLOBAL_SHARDS = 16;

export interface GuessScope {
  /** Which path, for keys and the audit log: 'redeem', 'recover', 'radius'. */
  path: string;
  mac: string | null;
  ip: string | null;
}

export interface GuessTicket {
  keys: string[];
}

/** The counters an attempt on this scope hits, as guess_count (migration 0940) takes them. */
export function guessCounters(s: GuessScope) {
  const c: [string, number, number][] = [[`guess:${s.path}:all`, GUESS_LIMITS.global, GLOBAL_SHARDS]];
  if (s.ip) c.push([`guess:${s.path}:ip:${s.ip}`, GUESS_LIMITS.ip, 1]);
  if (s.mac) c.push([`guess:${s.path}:mac:${s.mac}`, GUESS_LIMITS.mac, 1]);
  return {
    keys: c.map((x) => x[0]),
    limits: c.map((x) => x[1]),
    shards: c.map((x) => x[2]),
    windowMs: GUESS_WINDOW_MS,
  };
}

/** Count an attempt; throws `rate_limited` (HTTP 429 with Retry-After) when any limit is passed. */
export async function startGuess(deps: Deps, s: GuessScope): Promise<GuessTicket> {
  const c = guessCounters(s);
  const [r] = await query<{ allowed: boolean; retry_after: number; scope: string | null; keys: string[] }>(
    deps.db,
    sql`SELECT * FROM guess_count(${sqlArray(c.keys)}::text[], ${sqlArray(c.limits)}::int[],
                                  ${sqlArray(c.shards)}::int[], ${deps.clock.now()}, ${c.windowMs})`,
  );
  if (!r!.allowed) await throttled(deps, s, Number(r!.retry_after), r!.scope ?? 'all');
  return { keys: parseTextArray(r!.keys) };
}

/**
 * For a check that runs apart from the code's (a PPP subscriber's password): would an attempt on
 * this scope pass the limits, without counting it (guess_peek, migration 2441)? Run it on the
 * transaction that will count a failure (`countGuess`): the per-device lock it takes is held to
 * commit, so one device's attempts are decided one after another. A right answer then writes
 * nothing; a wrong one, or one made while locked out, is counted.
 */
export async function peekGuess(tx: Conn, deps: Pick<Deps, 'clock'>, s: GuessScope): Promise<boolean> {
  const c = guessCounters(s);
  const [r] = await query<{ ok: boolean }>(
    tx,
    sql`SELECT guess_peek(${sqlArray(c.keys)}::text[], ${sqlArray(c.limits)}::int[], ${sqlArray(c.shards)}::int[],
                          ${deps.clock.now()}, ${c.windowMs}) AS ok`,
  );
  return r!.ok === true;
}

/** Count a failed attempt; returns whether it was still within the limits, and the wait if not. */
export async function countGuess(
  tx: Conn,
  deps: Pick<Deps, 'clock'>,
  s: GuessScope,
): Promise<{ allowed: boolean; retryAfterSeconds: number; scope: string }> {
  const c = guessCounters(s);
  const [r] = await query<{ allowed: boolean; retry_after: number; scope: string | null }>(
    tx,
    sql`SELECT allowed, retry_after, scope FROM guess_count(${sqlArray(c.keys)}::text[], ${sqlArray(c.limits)}::int[],
                                  ${sqlArray(c.shards)}::int[], ${deps.clock.now()}, ${c.windowMs})`,
  );
  return { allowed: r!.allowed, retryAfterSeconds: Number(r!.retry_after), scope: r!.scope ?? 'all' };
}

/** Audit the refusal and throw the 429 (the attempt has been counted already). */
export async function throttled(
  deps: Deps,
  s: GuessScope,
  retryAfterSeconds: number,
  which: string,
): Promise<never> {
  await audit(deps.db, deps, {
    actor: CUSTOMER,
    action: `access.${s.path}.throttled`,
    detail: { scope: which, mac: s.mac, retryAfterSeconds },
    ip: s.ip,
  });
  throw new AppError(
    'rate_limited',
    `Too many tries. Wait ${Math.ceil(retryAfterSeconds / 60)} minute(s) and try again.`,
    {
      retryAfterSeconds,
    },
  );
}

/** The attempt was right: it does not count against anyone. */
export async function guessSucceeded(deps: Deps, t: GuessTicket): Promise<void> {
  await deps.db.execute(sql`SELECT guess_refund(${sqlArray(t.keys)}::text[])`);
}

/**
 * An array parameter both drivers take the same way: PostgreSQL's text form. (node-postgres would
 * take a JS array, PGlite's Drizzle driver serialises parameters itself.)
 */
export function sqlArray(values: (string | number)[]): string {
  return `{${values.map((v) => `"${String(v).replace(/["\\]/g, '\\$&')}"`).join(',')}}`;
}

/** A text[] result: node-postgres parses it, PGlite may hand back the text form. */
export function parseTextArray(v: unknown): string[] {
  if (Array.isArray(v)) return v.map(String);
  const s = String(v ?? '{}');
  if (s === '{}') return [];
  return s
    .slice(1, -1)
    .match(/"((?:[^"\\]|\\.)*)"|[^,]+/g)!
    .map((x) => (x.startsWith('"') ? x.slice(1, -1).replace(/\\(.)/g, '$1') : x));
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
