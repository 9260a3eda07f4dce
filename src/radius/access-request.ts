/**
 * Access-Request → Access-Accept/Reject. A voucher login sends the code as User-Name and as the
 * password (PAP, or CHAP as MikroTik hotspot does by default), or, for a voucher imported with its
 * own password, that password (PAP only: it is checked in the decision's own statement); MAC authentication sends the MAC as
 * User-Name. The decision itself (activation, device binding, what is left) is the access core's
 * (authorizeCode / authorizeMac); this file checks the password and turns the decision into
 * attributes the gateway understands.
 */
import type { Deps } from '../app/deps.ts';
import { type AccessDecision, authorizeCode, authorizeMac } from '../access/index.ts';
import { normalizeCode } from '../access/index.ts';
import { guessFailed, startGuess, voucherPasswordByCode } from '../access/index.ts';
import { AppError } from '../lib/errors.ts';
import { normalizeMac } from '../lib/mac.ts';
import {
  attr,
  getRaw,
  getText,
  type RadiusAttribute,
  RadiusCode,
  RadiusDecodeError,
  unhidePassword,
  verifyChap,
} from '../protocols/radius/index.ts';
import type { RadiusReply, RadiusRequest } from './server.ts';

const MAX_U32 = 0xffffffff;
const TWO_32 = 2 ** 32;

export const NO_DEVICE_PACKAGE = 'This device has no active package. Buy one or enter your code.';
export const WRONG_PASSWORD = 'That code is not valid. Check it and try again.';
export const NO_CODE = 'Enter your access code.';

export interface AccessOptions {
  interimSeconds: number;
}

export function accessRequestHandler(deps: Deps, o: AccessOptions) {
  return async (req: RadiusRequest): Promise<RadiusReply> => {
    const p = req.packet;
    const username = getText(p, 'User-Name')?.trim() ?? '';
    if (!username) return reject(NO_CODE);
    const callingMac = normalizeMac(getText(p, 'Calling-Station-Id'));
    const userMac = normalizeMac(username);
    // MAC authentication only for the device's own MAC: a User-Name can be typed on the hotspot
    // login page, and a MAC is no secret, so one that differs from the MAC the NAS saw
    // (Calling-Station-Id) is a code attempt like any other. (This also keeps a 12-hex-digit
    // imported voucher a voucher.)
    const macAuth = userMac !== null && (!callingMac || callingMac === userMac);

    let decision: AccessDecision;
    if (macAuth) {
      // The NAS vouches for the MAC (the request is signed with its secret); a MAC is public, so a
      // password here would add nothing and gateways differ in what they send.
      decision = await authorizeMac(deps, { mac: userMac, routerId: req.nas.routerId, routerIsRadius: true });
      if (!decision.ok && decision.reason === 'unknown') return reject(NO_DEVICE_PACKAGE);
    } else {
      const routerId = req.nas.routerId;
      let { pw, clear } = passwordMatches(req, username);
      if (pw === 'wrong' && getRaw(p, 'CHAP-Password')) {
        // CHAP is checked against the clear text, so a voucher's own password is read first (one
        // statement more, for these vouchers only); the decision still gets it to check.
        const own = await voucherPasswordByCode(deps, username);
        if (own !== null && verifyChap(p, own)) ({ pw, clear } = { pw: 'ok', clear: own });
      }
      if ((pw === 'missing' || pw === 'empty') && callingMac) {
        // MAC authentication by gateways that put their own User-Name and no password: the
        // device the NAS vouches for (Calling-Station-Id) must be bound to a live code.
        decision = await authorizeMac(deps, { mac: callingMac, routerId, routerIsRadius: true });
        if (!decision.ok && decision.reason === 'unknown') return reject(NO_DEVICE_PACKAGE);
      } else {
        // Every code tried here counts against the shared guessing limits (per device and
        // overall); a right code gives its attempt back. For a password that is the code, the
        // count, the decision and the refund are one statement (authorizeCode with `guess`).
        const scope = { path: 'radius', mac: callingMac, ip: null };
        try {
          if (pw !== 'ok') {
            await startGuess(deps, scope);
            await guessFailed(deps, scope, pw === 'missing' ? 'no_password' : 'wrong_password', {
              router: req.nas.name,
            });
            return reject(pw === 'missing' ? NO_CODE : WRONG_PASSWORD);
          }
          decision = await authorizeCode(deps, {
            code: username,
            password: clear,
            mac: callingMac,
            routerId,
            routerIsRadius: true,
            guess: scope,
          });
        } catch (e) {
          if (e instanceof AppError && e.code === 'rate_limited') return reject(e.message);
          throw e;
        }
        if (!decision.ok) await guessFailed(deps, scope, decision.reason, { router: req.nas.name });
      }
    }
    if (!decision.ok) return reject(decision.message);
    return { code: RadiusCode.AccessAccept, attributes: acceptAttributes(decision, o.interimSeconds) };
  };
}

const reject = (message: string): RadiusReply => ({
  code: RadiusCode.AccessReject,
  attributes: [attr('Reply-Message', message)],
});

/**
 * The password must be the code itself: PAP compares normalised forms, CHAP tries what was typed.
 * A PAP password that is not the code is handed on (`clear`): the voucher may have its own, which
 * only the decision's statement can tell. CHAP is tried against the
 * voucher's own password by the caller.
 */
function passwordMatches(
  req: RadiusRequest,
  username: string,
): { pw: 'ok' | 'wrong' | 'missing' | 'empty'; clear?: string } {
  const r = check(req, username);
  return typeof r === 'string' ? { pw: r } : r;
}

function check(
  req: RadiusRequest,
  username: string,
): 'ok' | 'wrong' | 'missing' | 'empty' | { pw: 'ok'; clear: string } {
  const p = req.packet;
  const hidden = getRaw(p, 'User-Password');
  if (hidden) {
    let clear: string;
    try {
      clear = unhidePassword(hidden, req.nas.secret, p.authenticator).toString('utf8');
    } catch (e) {
      if (e instanceof RadiusDecodeError) return 'wrong';
      throw e;
    }
    if (!clear) return 'empty';
    return normalizeCode(clear) === normalizeCode(username) ? 'ok' : { pw: 'ok', clear };
  }
  if (getRaw(p, 'CHAP-Password')) {
    const candidates = new Set([
      username,
      normalizeCode(username),
      username.toUpperCase(),
      username.toLowerCase(),
    ]);
    for (const c of candidates) if (verifyChap(p, c)) return 'ok';
    return verifyChap(p, '') ? 'empty' : 'wrong';
  }
  return 'missing';
}

/**
 * What the gateway enforces: time left (Session-Timeout), idle cut-off, accounting cadence, rate
 * (MikroTik's rx/tx are from the router's side: rx = the client's upload, so `up/down`), data
 * left as 64 bits split into Total-Limit + Gigawords, and the same rate as WISPr bit/s for other
 * gateways. Class carries the code id back to us in every Accounting-Request.
 */
export function acceptAttributes(
  d: Extract<AccessDecision, { ok: true }>,
  interimSeconds: number,
): RadiusAttribute[] {
  const out: RadiusAttribute[] = [
    // A fair-use plan's cap is not the NAS's to enforce: it would end the session (Wavu slows it).
    ...limitAttributes(d.secondsLeft, d.fairUse ? null : d.bytesLeft),
    attr('Idle-Timeout', d.idleTimeoutSeconds),
    attr('Acct-Interim-Interval', interimSeconds),
    attr('Port-Limit', d.devices),
    attr('Class', `wavu:${d.accessCodeId}`),
  ];
  out.push(...rateAttributes(d.rateUpKbps, d.rateDownKbps));
  if (d.expiresAt)
    out.push(attr('WISPr-Session-Terminate-Time', d.expiresAt.toISOString().replace(/\.\d{3}Z$/, '+00:00')));
  return out;
}

/** The speed, as MikroTik's rate-limit (rx/tx from the router: `up/down`) and WISPr bit/s. */
export function rateAttributes(upKbps: number | null, downKbps: number | null): RadiusAttribute[] {
  if (!upKbps && !downKbps) return [];
  const k = (v: number | null) => (v ? `${v}k` : '0');
  const out = [attr('Mikrotik-Rate-Limit', `${k(upKbps)}/${k(downKbps)}`)];
  if (upKbps) out.push(attr('WISPr-Bandwidth-Max-Up', Math.min(upKbps * 1000, MAX_U32)));
  if (downKbps) out.push(attr('WISPr-Bandwidth-Max-Down', Math.min(downKbps * 1000, MAX_U32)));
  return out;
}

/**
 * Session-Timeout (the session's whole allowed length: the router compares it with the session's
 * uptime) and the data left, as 64 bits split into Mikrotik-Total-Limit + Gigawords. Shared by the
 * Access-Accept (a new session: the time left) and the extension CoA (uptime so far + time left).
 */
export function limitAttributes(sessionTimeoutSeconds: number, bytesLeft: number | null): RadiusAttribute[] {
  const out = [attr('Session-Timeout', Math.min(Math.max(1, Math.floor(sessionTimeoutSeconds)), MAX_U32))];
  if (bytesLeft !== null) {
    const left = Math.max(0, bytesLeft);
    out.push(attr('Mikrotik-Total-Limit', left % TWO_32));
    out.push(attr('Mikrotik-Total-Limit-Gigawords', Math.floor(left / TWO_32)));
  }
  return out;
}
