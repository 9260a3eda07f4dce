/** "You are online": time and data left, the code to the browser that was handed it, log out. */
import * as backend from '../backend.ts';
import { logoutUrl } from '../hotspot.ts';
import type { PortalRoutes } from '../http.ts';
import { cookieValue } from '../i18n/index.ts';
import * as pages from '../pages.ts';
import { PAID_COOKIE } from '../token.ts';

export const statusRoutes: PortalRoutes = (app, deps, kit) => {
  app.get('/status', async (req, reply) => {
    const ctx = await kit.context(req, reply, req.query, { path: '/portal/status' });
    // Without the router's variables (its status link or our login's return address carry them)
    // there is no telling which device this is: say what is needed instead of "not connected".
    if (!ctx.hs.mac)
      return kit.send(req, reply, ctx, pages.statusPage(ctx, { online: null, unknownDevice: true }));
    const online = await backend.timeLeft(deps, await kit.returning(req, ctx.hs));
    // The full code only to the browser that was handed it (its sealed cookie), for this access.
    const mark = online
      ? await backend.paidHere(deps, cookieValue(req.headers.cookie, PAID_COOKIE), ctx.hs.mac)
      : null;
    const code = mark && online && mark.accessCodeId === online.accessCodeId ? mark.code : null;
    return kit.send(req, reply, ctx, pages.statusPage(ctx, { online, code, logout: logoutUrl(ctx.hs) }));
  });
};
