/**
 * May this device go online with this code? Used by the portal, the redeem API and RADIUS. The
 * first login starts the clock; each new device is bound up to the plan's limit. The code's row is
 * locked for the decision, so two devices racing for the last slot cannot both win.
 */
import { sql } from 'drizzle-orm';
import type { Deps } from '../app/deps.ts';
import { type Conn, asDate, query, retryTransaction } from '../db/open.ts';
import { normalizeMac } from '../lib/mac.ts';
import { effectiveRate, parseFairUseRate } from '../plans/index.ts';
import { hashCode, looksLikeCode, normalizeCode } from './codes.ts';
import { enqueueGrant } from './grant.ts';
import { type GuessScope, guessCounters, sqlArray, startGuess, throttled } from './guessing.ts';

export type DenyReason =
  | 'unknown'
  | 'expired'
  | 'revoked'
  | 'device_limit'
  | 'used_up'
  | 'not_valid_yet'
  | 'password_needed';

export type AccessDecision =
  | {
      ok: true;
      accessCodeId: string;
      code: string;
      planId: number;
      clock: 'wall' | 'uptime';
      secondsLeft: number;
      expiresAt: Date | null;
      /** Data left before the cap (null: no cap, or already over a fair-use cap). */
      bytesLeft: number | null;
      /**
       * The plan slows the code down at its cap instead of cutting it off: no gateway is given
       * the cap (it would cut the session), Wavu throttles when usage crosses it.
       */
      fairUse: boolean;
      /** Over a fair-use cap: the rates are the fair-use rate. */
      throttled: boolean;
      rateUpKbps: number | null;
      rateDownKbps: number | null;
      devices: number;
      idleTimeoutSeconds: number;
    }
  | { ok: false; reason: DenyReason; message: string };

export const DENY_MESSAGES: Record<DenyReason, string> = {
  unknown: 'That code is not valid. Check it and try again.',
  expired: 'That code has expired. Buy a new package to continue.',
  revoked: 'That code has been cancelled. Contact support if you think this is wrong.',
  device_limit: 'That code is already in use on the maximum number of devices.',
  used_up: 'That code has no time or data left. Buy a new package to continue.',
  not_valid_yet: 'That voucher can no longer be used: its validity period has ended.',
  password_needed: 'This voucher has a password too. Enter it with the code.',
};

/** Idle sessions are closed after this long so a forgotten phone does not hold a device slot. */
export const IDLE_TIMEOUT_SECONDS = 600;

const deny = (reason: DenyReason): AccessDecision => ({ ok: false, reason, message: DENY_MESSAGES[reason] });

/** One row of access_authorize (src/db/functions/access_authorize.sql): the decision, in one statement. */
interface DecisionRow {
  ok: boolean;
  reason: DenyReason | 'throttled' | null;
  access_code_id: string | null;
  code_sealed: string | null;
  plan_id: number | null;
  clock: 'wall' | 'uptime' | null;
  seconds_left: number | string | null;
  expires_at: unknown;
  bytes_left: number | string | null;
  rate_up_kbps: number | null;
  rate_down_kbps: number | null;
  devices: number | null;
  needs_grant: boolean;
  retry_after: number | null;
  throttled_scope: string | null;
  fair_use_rate: string | null;
  over_cap: boolean | null;
}

export interface AuthorizeInput {
  code: string;
  /**
   * The password typed with the code (RADIUS User-Password, the portal's password box). Checked
   * in the same statement: a voucher imported with its own password needs it; for any other code
   * it must be the code itself. Absent: only the code is checked, unless the voucher has one.
   */
  password?: string | null | undefined;
  mac?: string | null;
  routerId?: number | null;
  /**
   * The router is known to be in radius mode (the RADIUS server's NAS cache holds only those):
   * nothing is pushed to it, so the decision runs as one statement in its own transaction.
   */
  routerIsRadius?: boolean;
  /** Count the attempt against the guessing limits in the same statement (RADIUS logins). */
  guess?: GuessScope;
}

/**
 * The decision is made by access_authorize (src/db/functions/access_authorize.sql) in one round trip: the code's row is
 * locked, the first login starts the clock and schedules the expiry, a code with nothing left is
 * expired (and revoked on the routers), and a new device is bound up to the plan's limit. With
 * `guess`, the attempt is counted first and a right code gives it back; a passed limit throws
 * `rate_limited` as startGuess does.
 */
export async function authorizeCode(deps: Deps, input: AuthorizeInput): Promise<AccessDecision> {
  const code = normalizeCode(input.code);
  if (!looksLikeCode(code)) {
    if (input.guess) await startGuess(deps, input.guess);
    return deny('unknown');
  }
  const pw = input.password?.trim() ? hashCode(deps.sealer, input.password) : null;
  return run(deps, hashCode(deps.sealer, code), normalizeMac(input.mac), input, pw);
}

/** A device that is already bound to a live code (MAC login, RADIUS MAC auth, "welcome back"). */
export async function authorizeMac(
  deps: Deps,
  input: { mac: string; routerId?: number | null; routerIsRadius?: boolean },
): Promise<AccessDecision> {
  const mac = normalizeMac(input.mac);
  if (!mac) return deny('unknown');
  return run(deps, null, mac, input);
}

async function run(
  deps: Deps,
  hash: string | null,
  mac: string | null,
  input: Pick<AuthorizeInput, 'routerId' | 'routerIsRadius' | 'guess'>,
  passwordHash: string | null = null,
): Promise<AccessDecision> {
  const routerId = input.routerId ?? null;
  const g = input.guess ? guessCounters(input.guess) : null;
  const statement = sql`SELECT * FROM access_authorize(${hash}, ${mac}, ${routerId}, ${deps.clock.now()},
      ${g ? sqlArray(g.keys) : null}::text[], ${g ? sqlArray(g.limits) : null}::int[],
      ${g ? sqlArray(g.shards) : null}::int[], ${g?.windowMs ?? null}, ${passwordHash}::text)`;
  let row: DecisionRow;
  if (routerId === null || input.routerIsRadius) {
    // One statement is its own transaction: one round trip, one commit.
    [row] = (await retryTransaction(() => query<DecisionRow>(deps.db, statement))) as [DecisionRow];
    if (row.needs_grant) {
      // The cache was stale and the router is in api mode now: queue the push after all. Should
      // this be lost, the router reconcile grants the bound device anyway.
      await deps.db.transaction((tx) => queueGrant(tx, deps, row, routerId!, mac!));
    }
  } else {
    row = await deps.db.transaction(async (tx) => {
      const [r] = await query<DecisionRow>(tx, statement);
      // The push to an api-mode router is queued with the binding, in the same transaction.
      if (r!.needs_grant) await queueGrant(tx, deps, r!, routerId, mac!);
      return r!;
    });
  }
  if (row.reason === 'throttled') {
    return throttled(deps, input.guess!, Number(row.retry_after), row.throttled_scope ?? 'all');
  }
  if (!row.ok) return deny((row.reason ?? 'unknown') as DenyReason);
  return {
    ok: true,
    accessCodeId: row.access_code_id!,
    code: deps.sealer.unseal(row.code_sealed!),
    planId: Number(row.plan_id),
    clock: row.clock!,
    secondsLeft: Number(row.seconds_left),
    expiresAt: row.expires_at ? asDate(row.expires_at) : null,
    bytesLeft: row.bytes_left === null ? null : Number(row.bytes_left),
    fairUse: row.fair_use_rate !== null && parseFairUseRate(row.fair_use_rate) !== null,
    throttled: row.over_cap === true,
    ...effectiveRate(
      { rateUpKbps: row.rate_up_kbps, rateDownKbps: row.rate_down_kbps, fairUseRate: row.fair_use_rate },
      row.over_cap === true,
    ),
    devices: Number(row.devices),
    idleTimeoutSeconds: IDLE_TIMEOUT_SECONDS,
  };
}

function queueGrant(tx: Conn, deps: Deps, row: DecisionRow, routerId: number, mac: string): Promise<void> {
  return enqueueGrant(tx, deps, row.access_code_id!, routerId, `device:${mac}`);
}
