/**
 * What a gateway is told in an Access-Accept depends on whose gateway it is (the router's RADIUS
 * profile, migration 1900): each understands its own vendor's attributes and ignores or
 * misreads others'. The decision (time and data left, rates) is the same for all.
 *  - mikrotik: Mikrotik-Rate-Limit and Mikrotik-Total-Limit(+Gigawords), WISPr rates too.
 *  - pfsense: pfSense-Bandwidth-Max-Up/Down in bit/s (and the WISPr ones, which it also reads)
 *    and pfSense-Max-Total-Octets for a data cap. pfSense sends no CoA port, so revocation is
 *    its "reauthenticate connected users every minute": the next Access-Request is refused.
 *  - opnsense: time only. Its captive portal takes Session-Timeout (and accounting) from RADIUS
 *    and nothing else of ours; sessions are ended through its API (gateways/opnsense).
 * Every profile gets Session-Timeout (the time left: the safety net when Wavu can't reach the
 * gateway), Acct-Interim-Interval and Class (the code id, echoed in accounting).
 */
import type { AccessDecision } from '../access/index.ts';
import type { RadiusProfile } from '../gateways/index.ts';
import { attr, type RadiusAttribute } from '../protocols/radius/index.ts';

/** Gateways that take Disconnect/CoA-Requests on their CoA port (the others are told otherwise). */
export const takesCoa = (p: RadiusProfile): boolean => p === 'mikrotik';

const MAX_U32 = 0xffffffff;
const TWO_32 = 2 ** 32;

type Granted = Extract<AccessDecision, { ok: true }>;

const bps = (kbps: number) => Math.min(kbps * 1000, MAX_U32);

export function acceptAttributes(
  profile: RadiusProfile,
  d: Granted,
  interimSeconds: number,
): RadiusAttribute[] {
  const interim = attr('Acct-Interim-Interval', interimSeconds);
  const klass = attr('Class', `wavu:${d.accessCodeId}`);
  if (profile === 'opnsense') return [sessionTimeout(d.secondsLeft), interim, klass];
  const idle = attr('Idle-Timeout', d.idleTimeoutSeconds);
  // A fair-use plan's cap is not the NAS's to enforce: it would end the session (Wavu slows it).
  const bytesLeft = d.fairUse ? null : d.bytesLeft;
  const out: RadiusAttribute[] =
    profile === 'mikrotik'
      ? [...limitAttributes(d.secondsLeft, bytesLeft), idle, interim, attr('Port-Limit', d.devices), klass]
      : [sessionTimeout(d.secondsLeft), idle, interim, klass];
  if (profile === 'pfsense') {
    if (d.rateUpKbps) out.push(attr('pfSense-Bandwidth-Max-Up', bps(d.rateUpKbps)));
    if (d.rateDownKbps) out.push(attr('pfSense-Bandwidth-Max-Down', bps(d.rateDownKbps)));
    // 32 bits only (no gigawords attribute): a cap above 4 GiB is told as 4 GiB, and accounting
    // ends the code at its real cap.
    if (bytesLeft !== null)
      out.push(attr('pfSense-Max-Total-Octets', Math.min(Math.max(0, bytesLeft), MAX_U32)));
    out.push(...wisprRate(d.rateUpKbps, d.rateDownKbps));
  } else out.push(...rateAttributes(d.rateUpKbps, d.rateDownKbps));
  if (d.expiresAt)
    out.push(attr('WISPr-Session-Terminate-Time', d.expiresAt.toISOString().replace(/\.\d{3}Z$/, '+00:00')));
  return out;
}

/** The speed, as MikroTik's rate-limit (rx/tx from the router: `up/down`) and WISPr bit/s. */
export function rateAttributes(upKbps: number | null, downKbps: number | null): RadiusAttribute[] {
  if (!upKbps && !downKbps) return [];
  const k = (v: number | null) => (v ? `${v}k` : '0');
  return [attr('Mikrotik-Rate-Limit', `${k(upKbps)}/${k(downKbps)}`), ...wisprRate(upKbps, downKbps)];
}

const wisprRate = (upKbps: number | null, downKbps: number | null): RadiusAttribute[] => [
  ...(upKbps ? [attr('WISPr-Bandwidth-Max-Up', bps(upKbps))] : []),
  ...(downKbps ? [attr('WISPr-Bandwidth-Max-Down', bps(downKbps))] : []),
];

const sessionTimeout = (seconds: number) =>
  attr('Session-Timeout', Math.min(Math.max(1, Math.floor(seconds)), MAX_U32));

/**
 * Session-Timeout (the session's whole allowed length: the router compares it with the session's
 * uptime) and the data left, as 64 bits split into Mikrotik-Total-Limit + Gigawords. Shared by the
 * Access-Accept (a new session: the time left) and the extension CoA (uptime so far + time left).
 */
export function limitAttributes(sessionTimeoutSeconds: number, bytesLeft: number | null): RadiusAttribute[] {
  const out = [sessionTimeout(sessionTimeoutSeconds)];
  if (bytesLeft !== null) {
    const left = Math.max(0, bytesLeft);
    out.push(attr('Mikrotik-Total-Limit', left % TWO_32));
    out.push(attr('Mikrotik-Total-Limit-Gigawords', Math.floor(left / TWO_32)));
  }
  return out;
}
