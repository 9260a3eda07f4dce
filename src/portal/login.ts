/**
 * Logging the device into the router: the form the browser posts to the hotspot (HTTP-CHAP when
 * the router sent a challenge, else PAP), or a login done from the server for api-mode routers.
 * (Until the gateways feature provides the server-side login, only the browser form is used.)
 */
import type { Deps } from '../app/deps.ts';
import { chapResponse } from './chap.ts';
import type { LoginForm } from './pages.ts';

export function loginForm(o: {
  linkLoginOnly: string;
  code: string;
  chapId: string | undefined;
  chapChallenge: string | undefined;
  dst: string;
}): LoginForm {
  const password = o.chapId && o.chapChallenge ? chapResponse(o.chapId, o.code, o.chapChallenge) : o.code;
  return { action: o.linkLoginOnly, username: o.code, password, dst: o.dst };
}

/** True when the router logged the device in; false when it cannot. */
export async function serverLogin(
  _deps: Deps,
  _routerId: number,
  _o: { code: string; ip: string; mac: string },
): Promise<boolean> {
  return false;
}
