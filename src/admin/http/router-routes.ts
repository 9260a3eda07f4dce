/**
 * Router routes behind the admin login: thin wrappers over src/gateways (registry, connection
 * test, setup script). Each change is audited by its use case, in its transaction, with the fields
 * it touched; secrets are named, never recorded. The setup script carries the router's API
 * password or RADIUS secret, so fetching it is audited too.
 */
import { z } from 'zod';
import { findRouter } from '../../gateways/index.ts';
import { addRouter } from '../../gateways/index.ts';
import { addRouterInput, updateRouterInput } from '../../gateways/index.ts';
import { removeRouter } from '../../gateways/index.ts';
import { testRouter } from '../../gateways/index.ts';
import { updateRouter } from '../../gateways/index.ts';
import { routerScript } from '../../gateways/index.ts';
import { loginHtml } from '../../gateways/index.ts';
import { audit } from '../../audit/index.ts';
import { listRoutersWithHealth } from '../routers/list-routers-with-health.ts';
import { idParam } from '../../http/paging.ts';
import { route } from './route.ts';
import { publicUrlWarning } from '../../gateways/index.ts';

export const routerRoutes = [
  route({
    method: 'GET',
    path: '/api/admin/routers',
    tag: 'routers',
    summary:
      'Routers with health and live sessions (credentials are never returned), and warnings about the setup (a loopback PUBLIC_URL)',
    handler: async ({ deps }) => ({
      items: await listRoutersWithHealth(deps),
      warnings: [publicUrlWarning(deps.config.publicUrl)].filter((w): w is string => w !== null),
    }),
  }),
  route({
    method: 'POST',
    path: '/api/admin/routers',
    tag: 'routers',
    summary:
      'Add a router (api: host, transport, username, password?; radius: address, secret?). Secrets left out are generated and returned once',
    body: addRouterInput,
    handler: async ({ deps, body, actor, ip, reply }) => {
      const r = await addRouter(deps, body, { actor, ip });
      reply.code(201);
      return r;
    },
  }),
  route({
    method: 'PATCH',
    path: '/api/admin/routers/:id',
    tag: 'routers',
    summary: 'Change a router (only the fields sent; leave secrets out to keep them)',
    params: idParam,
    body: updateRouterInput,
    handler: async ({ deps, params, body, actor, ip }) => {
      return updateRouter(deps, params.id, body, { actor, ip });
    },
  }),
  route({
    method: 'DELETE',
    path: '/api/admin/routers/:id',
    tag: 'routers',
    summary: 'Remove a router, or disable it when payments or sessions refer to it',
    params: idParam,
    handler: async ({ deps, params, actor, ip }) => {
      return removeRouter(deps, params.id, { actor, ip });
    },
  }),
  route({
    method: 'POST',
    path: '/api/admin/routers/:id/test',
    tag: 'routers',
    summary: 'Connect and log in now; records the result as a health check and explains a failure',
    params: idParam,
    handler: ({ deps, params }) => testRouter(deps, params.id),
  }),
  route({
    method: 'GET',
    path: '/api/admin/routers/:id/script',
    tag: 'routers',
    summary: 'The RouterOS setup script (.rsc) for the router, or its hotspot login page (file=login-html)',
    params: idParam,
    query: z.object({
      file: z.enum(['rsc', 'login-html']).default('rsc'),
      radiusAddress: z.string().max(64).optional(),
      /** Agent routers: the token shown when the router was added (only its hash is stored). */
      agentToken: z.string().max(100).optional(),
      routeros: z.enum(['6', '7']).default('7'),
    }),
    produces: 'text/plain',
    handler: async ({ deps, params, query, actor, ip, reply }) => {
      const router = await findRouter(deps, params.id);
      reply.header('cache-control', 'no-store');
      if (query.file === 'login-html') {
        return reply
          .type('text/html; charset=utf-8')
          .header('content-disposition', 'attachment; filename="login.html"')
          .send(loginHtml({ publicUrl: deps.config.publicUrl, routerName: router.name }));
      }
      const script = await routerScript(deps, router, {
        radiusAddress: query.radiusAddress,
        agentToken: query.agentToken,
        routeros: query.routeros === '6' ? 6 : 7,
      });
      await audit(deps.db, deps, {
        actor,
        action: 'router.script',
        entity: 'router',
        entityId: router.id,
        ip,
      });
      return reply
        .type('text/plain; charset=utf-8')
        .header('content-disposition', `attachment; filename="wavu-${router.name}.rsc"`)
        .send(script);
    },
  }),
];
