/**
 * Access-Request from a PPP server (PPPoE on MikroTik, pppd's radius plugin) for a subscriber:
 * check the password the way the NAS sent it (PAP, CHAP or MS-CHAPv2) against the sealed clear
 * password, then answer from the subscriber's row:
 *  - active and within due + grace: Accept at the plan rate (the fair-use rate once throttled),
 *    the static address if any, Session-Timeout up to due + grace (so an unpaid session ends on
 *    its own even if Wavu cannot reach the router);
 *  - expired (or active but past due + grace before the enforcement job ran): Accept into the
 *    expired pool with a short Session-Timeout, so the router's redirect of that pool shows the
 *    pay page and a payment takes effect at the next login at the latest;
 *  - suspended, disconnected, wrong or missing password: Reject;
 *  - a caller over the guessing limits (the hotspot codes' counters): Reject, right password or not.
 * Hotspot logins never reach this file: the radius feature hands over only PPP requests, and a
 * User-Name that is no subscriber's goes back to the hotspot path (`undefined`).
 */
import { sql } from 'drizzle-orm';
import type { Deps } from '../app/deps.ts';
import { countGuess, type GuessScope, peekGuess } from '../access/index.ts';
import { audit, CUSTOMER } from '../audit/index.ts';
import { query } from '../db/open.ts';
import { normalizeMac } from '../lib/mac.ts';
import {
  attr,
  getInt,
  getRaw,
  getText,
  type RadiusAttribute,
  RadiusCode,
  RadiusDecodeError,
  type RadiusPacket,
  safeEqual,
  unhidePassword,
  verifyChap,
} from '../protocols/radius/index.ts';
import { verifyMsChapV2 } from '../protocols/radius/index.ts';
import { DEFAULT_EXPIRED_POOL, EXPIRED_POOL_SETTING } from '../gateways/index.ts';
import {
  DEFAULT_INTERIM_SECONDS,
  EXPIRED_SESSION_SECONDS,
  FRAMED_USER,
  INTERIM_SETTING,
  PPP,
  rateLimit,
} from './ppp-rules.ts';

/** What this file needs of the RADIUS request (the radius feature's RadiusRequest fits). */
export interface PppRequest {
  nas: { routerId: number; secret: string };
  packet: RadiusPacket;
}

export interface PppReply {
  code: number;
  attributes: RadiusAttribute[];
}

export const PPP_REJECTED = 'Login refused. Call your internet provider.';

const MAX_U32 = 0xffffffff;

/** Is this Access-Request from a PPP server (as opposed to a hotspot login)? */
export function isPppRequest(p: RadiusPacket): boolean {
  return getInt(p, 'Framed-Protocol') === PPP || getInt(p, 'Service-Type') === FRAMED_USER;
}

interface SubscriberAuthRow {
  id: number;
  password_sealed: string;
  state: 'active' | 'suspended' | 'expired' | 'disconnected';
  due_at: unknown;
  static_ip: string | null;
  throttled: boolean;
  rate_up_kbps: number;
  rate_down_kbps: number;
  fair_use_up_kbps: number | null;
  fair_use_down_kbps: number | null;
  grace_days: number;
  expired_pool: string | null;
  interim_seconds: string | null;
}

/**
 * One statement: the subscriber, their plan and the two PPP settings. Returns undefined when
 * the User-Name is no subscriber's (the caller then tries the hotspot path).
 */
export async function pppAccess(deps: Deps, req: PppRequest): Promise<PppReply | undefined> {
  const p = req.packet;
  const username = getText(p, 'User-Name')?.trim() ?? '';
  if (!username) return undefined;
  const [s] = await query<SubscriberAuthRow>(
    deps.db,
    sql`SELECT s.id, s.password_sealed, s.state, s.due_at, s.static_ip, s.throttled,
               p.rate_up_kbps, p.rate_down_kbps, p.fair_use_up_kbps, p.fair_use_down_kbps, p.grace_days,
               (SELECT value #>> '{}' FROM settings WHERE key = ${EXPIRED_POOL_SETTING}) AS expired_pool,
               (SELECT value #>> '{}' FROM settings WHERE key = ${INTERIM_SETTING}) AS interim_seconds
        FROM subscribers s JOIN service_plans p ON p.id = s.service_plan_id
        WHERE s.username = ${username}`,
  );
  if (!s) return undefined;
  const check = await guardedPasswordCheck(deps, req, username, s);
  if (!check.ok) return check.reply;
  if (s.state === 'suspended' || s.state === 'disconnected') {
    deps.log.info({ subscriberId: s.id, state: s.state }, 'PPP login refused: account not in service');
    return reject();
  }
  const now = deps.clock.now();
  const interim = Number(s.interim_seconds ?? DEFAULT_INTERIM_SECONDS) || DEFAULT_INTERIM_SECONDS;
  const endsAt = new Date(s.due_at as string).getTime() + Number(s.grace_days) * 86_400_000;
  const secondsLeft = Math.floor((endsAt - now.getTime()) / 1000);
  const klass = attr('Class', `wavu-sub:${s.id}`);
  const out: RadiusAttribute[] = [...check.attributes];
  if (s.state === 'expired' || secondsLeft <= 0) {
    // No static address: it would take the subscriber out of the pool the router redirects.
    out.push(
      attr('Framed-Pool', s.expired_pool || DEFAULT_EXPIRED_POOL),
      attr('Session-Timeout', EXPIRED_SESSION_SECONDS),
      attr('Acct-Interim-Interval', interim),
      klass,
    );
    return { code: RadiusCode.AccessAccept, attributes: out };
  }
  out.push(attr('Mikrotik-Rate-Limit', rateLimit(s)));
  if (s.static_ip) out.push(attr('Framed-IP-Address', s.static_ip));
  out.push(
    attr('Session-Timeout', Math.min(Math.max(1, secondsLeft), MAX_U32)),
    attr('Acct-Interim-Interval', interim),
    klass,
  );
  return { code: RadiusCode.AccessAccept, attributes: out };
}

const reject = (message = PPP_REJECTED): PppReply => ({
  code: RadiusCode.AccessReject,
  attributes: [attr('Reply-Message', message)],
});

/**
 * The password, under the guessing limits hotspot codes have (access/guessing.ts: the same
 * per-device and global counters, keyed by Calling-Station-Id): a caller over a limit is refused
 * even with the right password until the window passes; a wrong password counts; a right one
 * writes nothing. One transaction, so the per-device lock the peek takes covers the count.
 */
async function guardedPasswordCheck(
  deps: Deps,
  req: PppRequest,
  username: string,
  s: SubscriberAuthRow,
): Promise<{ ok: true; attributes: RadiusAttribute[] } | { ok: false; reply: PppReply }> {
  const scope: GuessScope = {
    path: 'radius',
    mac: normalizeMac(getText(req.packet, 'Calling-Station-Id')),
    ip: null,
  };
  return deps.db.transaction(async (tx) => {
    if (!(await peekGuess(tx, deps, scope))) {
      const g = await countGuess(tx, deps, scope);
      await audit(tx, deps, {
        actor: CUSTOMER,
        action: 'access.radius.throttled',
        entity: 'subscriber',
        entityId: s.id,
        detail: { scope: g.scope, mac: scope.mac, retryAfterSeconds: g.retryAfterSeconds },
      });
      deps.log.info({ subscriberId: s.id, scope: g.scope }, 'PPP login refused: too many tries');
      const minutes = Math.max(1, Math.ceil(g.retryAfterSeconds / 60));
      return { ok: false, reply: reject(`Too many tries. Wait ${minutes} minute(s) and try again.`) };
    }
    const check = checkPassword(req, username, deps.sealer.unseal(s.password_sealed));
    if (check.ok) return check;
    await countGuess(tx, deps, scope);
    await audit(tx, deps, {
      actor: CUSTOMER,
      action: 'access.radius.failed',
      entity: 'subscriber',
      entityId: s.id,
      detail: { reason: check.reason === 'missing' ? 'no_password' : 'wrong_password', mac: scope.mac },
    });
    deps.log.info({ subscriberId: s.id, reason: check.reason }, 'PPP login refused: password');
    return { ok: false, reply: reject() };
  });
}

type PasswordCheck = { ok: true; attributes: RadiusAttribute[] } | { ok: false; reason: 'wrong' | 'missing' };

/**
 * PAP compares the clear text, CHAP its MD5 (RFC 1994), MS-CHAPv2 the NT-Response (RFC 2759),
 * which also earns the NAS the authenticator response and the MPPE keys it must forward.
 */
function checkPassword(req: PppRequest, username: string, password: string): PasswordCheck {
  const p = req.packet;
  const hidden = getRaw(p, 'User-Password');
  if (hidden) {
    let clear: Buffer;
    try {
      clear = unhidePassword(hidden, req.nas.secret, p.authenticator);
    } catch (e) {
      if (e instanceof RadiusDecodeError) return { ok: false, reason: 'wrong' };
      throw e;
    }
    return safeEqual(clear, Buffer.from(password, 'utf8'))
      ? { ok: true, attributes: [] }
      : { ok: false, reason: 'wrong' };
  }
  if (getRaw(p, 'CHAP-Password'))
    return verifyChap(p, password) ? { ok: true, attributes: [] } : { ok: false, reason: 'wrong' };
  const challenge = getRaw(p, 'MS-CHAP-Challenge');
  const response = getRaw(p, 'MS-CHAP2-Response');
  if (challenge && response) {
    const r = verifyMsChapV2({
      username,
      password,
      authenticatorChallenge: challenge,
      response,
      secret: req.nas.secret,
      requestAuthenticator: p.authenticator,
    });
    return r ? { ok: true, attributes: r } : { ok: false, reason: 'wrong' };
  }
  return { ok: false, reason: 'missing' };
}
