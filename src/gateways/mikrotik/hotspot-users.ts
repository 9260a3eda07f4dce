/**
 * How a Wavu access looks on a MikroTik hotspot, in one place:
 * - user name = password = the access code (what people type, what the portal posts), or, for an
 *   imported voucher with its own password, that password;
 * - comment `wavu:<access code id>` marks users we own: reconcile removes only those;
 * - one user profile per plan, `wavu-plan-<id>`, with the plan's speed and device count, and
 *   `wavu-plan-<id>-fair` with its fair-use speed, which a code over its cap is moved to;
 * - `limit-uptime` / `limit-bytes-total` as a safety net on the router itself, so access ends
 *   even when Wavu cannot reach it at expiry.
 */
import { formatDuration, parseDuration } from '../../protocols/routeros/values.ts';
import type { Row } from '../../protocols/routeros/types.ts';
import type { AccessSpec } from '../adapter.ts';

export const COMMENT_PREFIX = 'wavu:';
export const userComment = (accessCodeId: string) => `${COMMENT_PREFIX}${accessCodeId}`;
export const accessIdFromComment = (comment: string | undefined): string | null =>
  comment?.startsWith(COMMENT_PREFIX) ? comment.slice(COMMENT_PREFIX.length).split(/\s/)[0]! : null;

export const profileName = (planId: number, throttled = false) =>
  `wavu-plan-${planId}${throttled ? '-fair' : ''}`;

/**
 * MikroTik `rate-limit` is `rx/tx` from the router's side: rx is what the router receives from the
 * client (the client's upload), tx what it sends (the client's download). So a plan of 1 Mbit/s
 * down and 512 kbit/s up is `512k/1000k`. `0` means unlimited in that direction; `k` is ×1000.
 */
export function rateLimit(upKbps: number | null, downKbps: number | null): string {
  if (!upKbps && !downKbps) return '';
  return `${upKbps ? `${upKbps}k` : '0'}/${downKbps ? `${downKbps}k` : '0'}`;
}

/** Idle sessions end after this long (matches what RADIUS sends as Idle-Timeout). */
export const IDLE_TIMEOUT = '10m';

export function profileAttrs(spec: Pick<AccessSpec, 'rateUpKbps' | 'rateDownKbps' | 'devices'>): Row {
  return {
    'rate-limit': rateLimit(spec.rateUpKbps, spec.rateDownKbps),
    'shared-users': String(spec.devices),
    'idle-timeout': IDLE_TIMEOUT,
  };
}

/** Online time and bytes the router has already counted against a user (closed + live sessions). */
export function consumed(user: Row | undefined, active: Row[]): { seconds: number; bytes: number } {
  let seconds = user ? (parseDuration(user.uptime ?? '0') ?? 0) : 0;
  let bytes = user ? Number(user['bytes-in'] ?? 0) + Number(user['bytes-out'] ?? 0) : 0;
  for (const a of active) {
    seconds += parseDuration(a.uptime ?? '0') ?? 0;
    bytes += Number(a['bytes-in'] ?? 0) + Number(a['bytes-out'] ?? 0);
  }
  return { seconds, bytes };
}

const ANY_MAC = '00:00:00:00:00:00';
/** Limits are rewritten only when off by more than this, so reconcile does not churn every minute. */
const UPTIME_SLACK_S = 60;
/**
 * In its last two minutes a code's limit is no longer tightened: its expiry takes it off the
 * router at the deadline, and codes sold together end together, so a tightening then is one
 * more `set` per offline user at the very moment their revokes need the router. The safety net
 * stays within this much (plus the slack) of the deadline.
 */
export const TIGHTEN_UNTIL_S = 120;
const BYTES_SLACK = 1024 * 1024;

/**
 * The attributes the user must have, given what the router already counted. The limits are
 * cumulative on the router, so the new limit is "already used there + what is left here".
 * Returns only what differs from `existing` (everything when creating).
 */
export function userAttrs(spec: AccessSpec, existing: Row | undefined, active: Row[]): Row {
  const used = consumed(existing, active);
  const want: Row = {
    name: spec.code,
    password: spec.password ?? spec.code,
    profile: profileName(spec.planId, spec.throttled),
    'limit-uptime': formatDuration(used.seconds + Math.max(1, spec.secondsLeft)),
    'mac-address': spec.devices === 1 && spec.macs.length === 1 ? spec.macs[0]! : ANY_MAC,
    comment: userComment(spec.accessCodeId),
    disabled: 'false',
  };
  if (spec.bytesLeft !== null) want['limit-bytes-total'] = String(used.bytes + Math.max(1, spec.bytesLeft));
  if (!existing) return want;
  const diff: Row = {};
  // No data limit wanted (a fair-use plan, or a cap lifted): one left on the router would cut the
  // user off, so it is lifted (0 = none on RouterOS).
  if (spec.bytesLeft === null && Number(existing['limit-bytes-total'] ?? 0) > 0)
    diff['limit-bytes-total'] = '0';
  for (const [k, v] of Object.entries(want)) {
    const cur = existing[k];
    if (k === 'limit-uptime') {
      const c = parseDuration(cur ?? '0') ?? 0;
      const w = parseDuration(v) ?? 0;
      // Too short cuts the user off early (after a top-up, say): rewritten past the slack. Too
      // long is only a looser safety net. A wall-clock code's time runs out offline too, while the
      // router counts online time only, so for an offline user the wanted limit falls a minute
      // every minute: rewriting on the slack alone set every offline user at every reconcile.
      // Tightening only once it is a quarter too long keeps that to a few sets over a code's life.
      const tooLong = c > w + Math.max(UPTIME_SLACK_S, w / 4) && spec.secondsLeft >= TIGHTEN_UNTIL_S;
      if (c < w - UPTIME_SLACK_S || tooLong) diff[k] = v;
    } else if (k === 'limit-bytes-total') {
      if (Math.abs(Number(cur ?? 0) - Number(v)) > BYTES_SLACK) diff[k] = v;
    } else if (k === 'mac-address') {
      if ((cur ?? ANY_MAC).toUpperCase() !== v) diff[k] = v;
    } else if (k === 'disabled') {
      if (cur === 'true' || cur === 'yes') diff[k] = 'no';
    } else if (cur !== undefined && cur !== v) diff[k] = v;
    else if (cur === undefined && k !== 'password') diff[k] = v;
  }
  return diff;
}
