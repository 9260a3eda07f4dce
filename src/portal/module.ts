/**
 * The captive portal under /portal: server-rendered pages, plain forms (POST → 303 → GET), every
 * page usable without JavaScript. The HTTP edge (http.ts) is shared; each flow has its route file,
 * which parses its input with zod, calls a use case and picks a page. The hotspot variables and the
 * language travel along on every link and form.
 */
import type { Module } from '../app/module.ts';
import { type PortalRoutes, portalEdge } from './http.ts';
import { buyRoutes } from './routes/buy.ts';
import { connectRoutes } from './routes/connect.ts';
import { homeRoutes } from './routes/home.ts';
import { openndsRoutes } from './routes/opennds.ts';
import { payRoutes } from './routes/pay.ts';
import { recoverRoutes } from './routes/recover.ts';
import { statusRoutes } from './routes/status.ts';
import { unifiRoutes } from './routes/unifi.ts';
import { voucherRoutes } from './routes/voucher.ts';

/** Every portal route file; a new flow is one more entry. */
const ROUTES: PortalRoutes[] = [
  homeRoutes,
  buyRoutes,
  voucherRoutes,
  recoverRoutes,
  connectRoutes,
  statusRoutes,
  // openNDS and UniFi log in through their own routes, with the same pages.
  openndsRoutes,
  unifiRoutes,
];

export const portalModule: Module = {
  name: 'portal',
  async routes(app, deps) {
    await app.register(
      async (scope) => {
        const kit = portalEdge(scope, deps);
        for (const routes of ROUTES) routes(scope, deps, kit);
      },
      { prefix: '/portal' },
    );
    // A PPPoE subscriber's pay page: the same edge, at the address the expired pool redirects to.
    await app.register(async (scope) => payRoutes(scope, deps, portalEdge(scope, deps, '/pay')), {
      prefix: '/pay',
    });
  },
};
