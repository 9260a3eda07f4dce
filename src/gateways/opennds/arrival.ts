/**
 * A client arrives from openNDS at the FAS address: decode `fas` (and `iv`) with the router's
 * faskey, check it names this gateway, and remember the client under a random token. Nothing is
 * credited here: a forged or undecryptable `fas` is refused, and even a well-formed level-1 one
 * (level 1 is only base64) gets nothing without a valid code at login.
 */
import type { Deps } from '../../app/deps.ts';
import { AppError } from '../../lib/errors.ts';
import { isIP } from 'node:net';
import { normalizeMac } from '../../lib/mac.ts';
import { randomToken } from '../../lib/random.ts';
import {
  decodeLevel1,
  decodeLevel3,
  FasDecodeError,
  type FasParams,
  rhid,
} from '../../protocols/opennds/index.ts';
import { upsertClient } from './clients.ts';
import { openndsRouter } from './router.ts';

export interface Arrival {
  routerName: string;
  token: string;
  mac: string;
  ip: string | null;
  originUrl: string | null;
}

/** An http(s) address the browser may be sent on to, or null. */
export const httpUrl = (s: string | undefined): string | null => {
  if (!s || s.length > 2000) return null;
  try {
    const u = new URL(s);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.toString() : null;
  } catch {
    return null;
  }
};

export async function openndsArrival(
  deps: Deps,
  i: { routerId: string; fas: unknown; iv: unknown },
): Promise<Arrival> {
  const r = await openndsRouter(deps, i.routerId);
  if (typeof i.fas !== 'string' || !i.fas) throw new AppError('validation', 'The fas parameter is missing.');
  let p: FasParams;
  try {
    if (r.level === 1) p = decodeLevel1(i.fas);
    else {
      if (typeof i.iv !== 'string') throw new FasDecodeError('iv is missing');
      p = decodeLevel3(i.fas, i.iv, r.faskey);
    }
  } catch (e) {
    if (!(e instanceof FasDecodeError)) throw e;
    deps.log.warn({ router: r.row.name, reason: e.message }, 'openNDS fas refused');
    throw new AppError(
      'validation',
      'This WiFi login link is not valid. Reconnect to the WiFi and try again.',
    );
  }
  if (p.gatewayname !== r.gatewayName) {
    deps.log.warn({ router: r.row.name }, 'openNDS fas names another gateway');
    throw new AppError(
      'validation',
      'This WiFi login link is not valid. Reconnect to the WiFi and try again.',
    );
  }
  const mac = normalizeMac(p.clientmac);
  if (!mac) throw new AppError('validation', 'The WiFi did not say which device this is.');
  const ip = p.clientip && isIP(p.clientip) ? p.clientip : null;
  const gw =
    p.gatewayaddress && /^[A-Za-z0-9.:[\]-]{1,100}$/.test(p.gatewayaddress) ? p.gatewayaddress : null;
  const row = await upsertClient(deps.db, {
    token: randomToken(24),
    routerId: r.row.id,
    hid: p.hid,
    rhid: rhid(p.hid, r.faskey),
    mac,
    ip,
    gatewayAddress: gw,
    originUrl: httpUrl(p.originurl),
    now: deps.clock.now(),
  });
  return { routerName: r.row.name, token: row.token, mac, ip, originUrl: row.origin_url };
}
