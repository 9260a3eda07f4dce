/**
 * A device coming back while its code still has time: the "welcome back" box, Reconnect and the
 * online page. A MAC is no secret (every frame on the WiFi carries it in clear) and every hotspot
 * variable reaches us through the browser, so anyone can type them, CHAP challenge included: the
 * router neither signs the challenge nor lets anyone read it back, so a made-up one looks the
 * same as a real one. What Wavu can check is what the router itself says
 * (`deviceOnRouter`: the device is on the hotspot at that address). So:
 * - time left is shown only to a request the router confirms, and every try counts against the
 *   guessing limits (path `reconnect`; a confirmed one gives its try back);
 * - Reconnect never shows the code: on an api-mode router Wavu logs the device in itself, and the
 *   router logs in the host at that address, nobody else; a device already online just goes to
 *   the online page. A radius-mode router cannot be asked about a device before it logs in, so
 *   there the router's login cookie, its MAC login or the code brings a device back.
 */
import { authorizeMac, macHasLiveCode, voucherPasswordById } from '../access/index.ts';
import { guessFailed, guessSucceeded, startGuess } from '../access/index.ts';
import type { Deps } from '../app/deps.ts';
import { type DevicePresence, deviceOnRouter } from '../gateways/index.ts';
import { isAppError } from '../lib/errors.ts';
import type { Hotspot } from './hotspot.ts';
import { serverLogin } from './login.ts';
import type { OnlineInfo } from './pages.ts';

export interface ReturningDevice {
  hs: Hotspot;
  routerId: number | null;
  /** The address the request came from (guessing limits). */
  sourceIp: string;
}

export type ReconnectResult = 'online' | 'not_reconnected' | 'too_many';

/** Count the try, ask the router; `audit` leaves a trace of refusals (the forms, not page views). */
async function prove(deps: Deps, d: ReturningDevice, o: { audit: boolean }): Promise<DevicePresence> {
  const mac = d.hs.mac;
  if (!mac) return 'unseen';
  const scope = { path: 'reconnect', mac, ip: d.sourceIp };
  const ticket = await startGuess(deps, scope);
  const presence =
    d.hs.ip && d.routerId !== null
      ? await deviceOnRouter(deps, { routerId: d.routerId, mac, ip: d.hs.ip })
      : 'unseen';
  if (presence !== 'unseen') await guessSucceeded(deps, ticket);
  else if (o.audit)
    await guessFailed(deps, scope, 'not_seen_by_router', { routerId: d.routerId, clientIp: d.hs.ip ?? null });
  return presence;
}

/** What a confirmed device has left, for the welcome box and the online page; null otherwise. */
export async function timeLeft(deps: Deps, d: ReturningDevice): Promise<OnlineInfo | null> {
  const mac = d.hs.mac;
  // Most visitors have nothing bound: do not ask the router about them.
  if (!mac || !(await macHasLiveCode(deps.db, mac))) return null;
  try {
    if ((await prove(deps, d, { audit: false })) === 'unseen') return null;
  } catch (e) {
    if (isAppError(e) && e.code === 'rate_limited') return null;
    throw e;
  }
  const a = await authorizeMac(deps, { mac, routerId: d.routerId });
  if (!a.ok) return null;
  // Wall clock: the code's own end. Uptime: the time runs only while online, so no fixed end.
  const endsAt =
    a.clock === 'wall' ? (a.expiresAt ?? new Date(deps.clock.now().getTime() + a.secondsLeft * 1000)) : null;
  return {
    secondsLeft: a.secondsLeft,
    bytesLeft: a.bytesLeft,
    throttled: a.throttled,
    devices: a.devices,
    accessCodeId: a.accessCodeId,
    endsAt,
  };
}

/** Put a confirmed device back online without ever showing its code. */
export async function reconnect(deps: Deps, d: ReturningDevice): Promise<ReconnectResult> {
  let presence: DevicePresence;
  try {
    presence = await prove(deps, d, { audit: true });
  } catch (e) {
    if (isAppError(e) && e.code === 'rate_limited') return 'too_many';
    throw e;
  }
  if (presence === 'unseen' || !d.hs.mac || !d.hs.ip || d.routerId === null) return 'not_reconnected';
  const a = await authorizeMac(deps, { mac: d.hs.mac, routerId: d.routerId });
  if (!a.ok) return 'not_reconnected';
  if (presence === 'online') return 'online';
  const password = await voucherPasswordById(deps, a.accessCodeId);
  const ok = await serverLogin(deps, d.routerId, { code: a.code, password, ip: d.hs.ip, mac: d.hs.mac });
  return ok ? 'online' : 'not_reconnected';
}
