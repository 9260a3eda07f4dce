/**
 * Logging a device into a MikroTik hotspot, for the portal.
 *
 * Browser route (works everywhere): the portal renders an auto-submitting form that posts
 * `username`, `password` and `dst` to the router's `link-login-only`. With HTTP-CHAP the password
 * field carries `md5(chap-id + password + chap-challenge)` in hex; the hotspot renders chap-id and
 * chap-challenge as octal escapes (`\371\015…`) meant for a JS string, so they are decoded to raw
 * bytes here before hashing.
 *
 * Server route (api mode only): `/ip/hotspot/active/login` with user, password, ip and mac.
 */
import { createHash } from 'node:crypto';
import type { Deps } from '../app/deps.ts';
import { AppError } from '../lib/errors.ts';
import { RosConnectionError, RosTrapError } from '../protocols/routeros/errors.ts';
import { adapterFor } from './modes.ts';
import { findRouter } from './routers/get-router.ts';

/** `\371\015…` (as the hotspot renders it; also accepts plain characters in between) → bytes. */
export function decodeHotspotOctal(s: string): Buffer {
  const out: number[] = [];
  for (let i = 0; i < s.length; ) {
    const m = /^\\([0-7]{1,3})/.exec(s.slice(i, i + 4));
    if (m) {
      out.push(Number.parseInt(m[1]!, 8) & 0xff);
      i += m[0].length;
    } else {
      out.push(s.charCodeAt(i) & 0xff);
      i++;
    }
  }
  return Buffer.from(out);
}

/** The HTTP-CHAP password the hotspot expects: hex md5 of chap-id ‖ password ‖ chap-challenge. */
export function hotspotChapResponse(chapId: string, password: string, chapChallenge: string): string {
  return createHash('md5')
    .update(
      Buffer.concat([
        decodeHotspotOctal(chapId),
        Buffer.from(password, 'latin1'),
        decodeHotspotOctal(chapChallenge),
      ]),
    )
    .digest('hex');
}

/**
 * The hotspot user Wavu creates for a code: its name and password are both the code, except for
 * an imported voucher with its own password (the customer logs in with the pair).
 */
export const hotspotCredentials = (code: string, password?: string | null) => ({
  username: code,
  password: password || code,
});

export interface HotspotLoginForm {
  /** Where the browser must post (the router's `link-login-only`). */
  action: string;
  method: 'post';
  fields: { username: string; password: string; dst?: string; popup: 'false' };
}

/**
 * The form the portal auto-submits to log the browser in. Uses CHAP when the router sent a
 * challenge (never puts the plain code on the wire), PAP otherwise.
 */
export function hotspotLoginForm(o: {
  linkLoginOnly: string;
  code: string;
  password?: string | null | undefined;
  chapId?: string | null | undefined;
  chapChallenge?: string | null | undefined;
  dst?: string | null | undefined;
}): HotspotLoginForm {
  if (!/^https?:\/\//.test(o.linkLoginOnly)) {
    throw new AppError('validation', 'The hotspot login address is missing or not a web address.');
  }
  const { username, password } = hotspotCredentials(o.code, o.password);
  const chap = o.chapId && o.chapChallenge;
  return {
    action: o.linkLoginOnly,
    method: 'post',
    fields: {
      username,
      password: chap ? hotspotChapResponse(o.chapId!, password, o.chapChallenge!) : password,
      ...(o.dst ? { dst: o.dst } : {}),
      popup: 'false',
    },
  };
}

/**
 * Log a device in from the server (api-mode routers): no browser round trip needed. The access
 * must already be on the router (gateway.grant). Errors come back in the hotspot's own words.
 */
export async function loginOnRouter(
  deps: Deps,
  routerRef: string | number,
  o: { code: string; password?: string | null; ip: string; mac?: string },
): Promise<void> {
  const router = await findRouter(deps, routerRef);
  const adapter = adapterFor(deps, router);
  if (router.mode !== 'api' || !adapter.login) {
    throw new AppError(
      'bad_request',
      `Router ${router.name} is not in api mode; log in through the browser instead.`,
    );
  }
  const { username, password } = hotspotCredentials(o.code, o.password);
  try {
    await adapter.login({ username, password, ip: o.ip, ...(o.mac ? { mac: o.mac } : {}) });
  } catch (e) {
    if (e instanceof RosTrapError)
      throw new AppError('forbidden', `The router refused the login: ${e.message}`);
    if (e instanceof RosConnectionError)
      throw new AppError('unavailable', 'The WiFi router is not answering. Try again in a moment.');
    throw e;
  }
}
