/**
 * Mounts the admin routes with the checks every one of them gets, in this order:
 *   1. who is calling (session cookie → account), 401 when a signed-in route has none;
 *   2. the role against POLICY, 403 when it is not allowed;
 *   3. on anything but GET, the session's CSRF token in `x-csrf-token` (403 without it); public
 *      changes (login, setup) must be JSON, which a cross-site form cannot send without CORS;
 *   4. zod parsing of params, query and body (400 with the field named), then the handler. Text
 *      PostgreSQL cannot store (a NUL, a lone surrogate) is refused there for every route.
 */
import type { FastifyInstance } from 'fastify';
import type { z } from 'zod';
import type { Deps } from '../../app/deps.ts';
import { storable } from '../../http/storable.ts';
import { AppError } from '../../lib/errors.ts';
import { SYSTEM, staffActor } from '../../audit/index.ts';
import { csrfMatches, findSession } from '../auth/sessions.ts';
import { accessOf, allows, POLICY } from '../policy.ts';
import { cookieName, readCookie } from './cookies.ts';
import type { AdminRoute } from './route.ts';

export const routeKey = (r: Pick<AdminRoute, 'method' | 'path'>) => `${r.method} ${r.path}`;

/** Throws when the route list and the policy table disagree: a route nobody decided on never ships. */
export function checkPolicy(routes: AdminRoute[]): void {
  const keys = new Set(routes.map(routeKey));
  const unlisted = [...keys].filter((k) => !accessOf(k));
  const undefinedRoutes = Object.keys(POLICY).filter((k) => !keys.has(k));
  if (unlisted.length || undefinedRoutes.length) {
    throw new Error(
      `admin access policy out of step: not in POLICY [${unlisted.join(', ')}]; in POLICY but not defined [${undefinedRoutes.join(', ')}]`,
    );
  }
}

export function registerAdminRoutes(app: FastifyInstance, deps: Deps, routes: AdminRoute[]): void {
  checkPolicy(routes);
  const cookie = cookieName(deps.config);
  for (const r of routes) {
    const access = accessOf(routeKey(r))!;
    app.route({
      method: r.method,
      url: r.path,
      handler: async (req, reply) => {
        reply.header('cache-control', 'no-store');
        const token = readCookie(req.headers.cookie, cookie);
        const admin = token ? await findSession(deps, token) : null;
        if (access !== 'public') {
          if (!admin) throw new AppError('unauthorized', 'Please sign in.');
          if (!allows(access, admin.role))
            throw new AppError('forbidden', 'Your role does not allow this. Ask an owner or admin.');
        }
        if (r.method !== 'GET') {
          if (access === 'public') {
            if (!String(req.headers['content-type'] ?? '').startsWith('application/json'))
              throw new AppError('bad_request', 'Send JSON (Content-Type: application/json).');
          } else if (!csrfMatches(admin!.csrfToken, header(req.headers['x-csrf-token']))) {
            throw new AppError('csrf', 'Missing or wrong CSRF token. Reload the page and try again.');
          }
        }
        const params = parseInput(r.params, req.params);
        const query = parseInput(r.query, req.query);
        const body = parseInput(r.body, r.body ? (req.body ?? {}) : req.body);
        return r.handler({
          deps,
          req,
          reply,
          admin,
          actor: admin ? staffActor(admin) : SYSTEM,
          ip: req.ip ?? null,
          params,
          query,
          body: r.body ? body : undefined,
        });
      },
    });
  }
}

function parseInput(schema: z.ZodType | undefined, raw: unknown): unknown {
  storable.parse(raw);
  return schema ? schema.parse(raw) : raw;
}

const header = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
