/**
 * Logging the device into the router, through the gateways feature: the form the browser posts to
 * the hotspot (HTTP-CHAP when the router sent a challenge, else PAP), or, for api-mode routers,
 * the login done from the server when there is no hotspot page to post to.
 */
import type { Deps } from '../app/deps.ts';
import { hotspotLoginForm, loginOnRouter } from '../gateways/index.ts';
import { isAppError } from '../lib/errors.ts';
import type { LoginForm } from './pages.ts';

export function loginForm(o: {
  linkLoginOnly: string;
  code: string;
  password: string | null;
  chapId: string | undefined;
  chapChallenge: string | undefined;
  dst: string;
}): LoginForm {
  const f = hotspotLoginForm(o);
  return {
    action: f.action,
    username: f.fields.username,
    password: f.fields.password,
    dst: f.fields.dst ?? null,
  };
}

/** True when the router logged the device in; false when it cannot (not api mode, refused, down). */
export async function serverLogin(
  deps: Deps,
  routerId: number,
  o: { code: string; password: string | null; ip: string; mac: string },
): Promise<boolean> {
  try {
    await loginOnRouter(deps, routerId, o);
    return true;
  } catch (e) {
    if (!isAppError(e)) throw e;
    deps.log.info({ code: e.code, routerId }, 'server-side hotspot login not possible');
    return false;
  }
}
