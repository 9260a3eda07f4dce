/**
 * The OpenAPI 3.1 document, generated from the same route list and policy the server enforces
 * (zod 4's JSON Schema output is JSON Schema 2020-12, which OpenAPI 3.1 uses as is).
 */
import { z } from 'zod';
import { accessOf } from '../policy.ts';
import { routeKey } from './register.ts';
import type { AdminRoute } from './route.ts';

type Json = Record<string, unknown>;

function schema(t: z.ZodType, io: 'input' | 'output'): Json {
  const s = z.toJSONSchema(t, { io, unrepresentable: 'any' }) as Json;
  delete s.$schema;
  return s;
}

function parameters(t: z.ZodType | undefined, where: 'path' | 'query'): Json[] {
  if (!t) return [];
  const s = schema(t, 'input') as { properties?: Record<string, Json>; required?: string[] };
  return Object.entries(s.properties ?? {}).map(([name, p]) => ({
    name,
    in: where,
    required: where === 'path' || (s.required ?? []).includes(name),
    schema: p,
    ...(p.description ? { description: p.description } : {}),
  }));
}

const errorResponse = {
  description: 'Error',
  content: {
    'application/json': {
      schema: {
        type: 'object',
        properties: {
          error: {
            type: 'object',
            properties: { code: { type: 'string' }, message: { type: 'string' } },
            required: ['code', 'message'],
          },
        },
      },
    },
  },
};

export function openApiDocument(routes: AdminRoute[], version: string): Json {
  const paths: Record<string, Record<string, Json>> = {};
  for (const r of routes) {
    const access = accessOf(routeKey(r))!;
    const path = r.path.replace(/:([A-Za-z_]+)/g, '{$1}');
    const roles =
      access === 'public'
        ? []
        : access === 'signed-in'
          ? ['owner', 'admin', 'cashier', 'viewer']
          : [...access];
    const op: Json = {
      tags: [r.tag],
      summary: r.summary,
      operationId: `${r.method.toLowerCase()}${r.path.replace(/^\/api\/admin/, '').replace(/[/:.-]+(\w)/g, (_m, c: string) => c.toUpperCase())}`,
      'x-roles': access === 'public' ? 'public' : roles,
      description:
        access === 'public'
          ? 'No sign-in needed.'
          : `Allowed roles: ${roles.join(', ')}.${r.method !== 'GET' ? ' Send the session CSRF token in `x-csrf-token`.' : ''}`,
      parameters: [...parameters(r.params, 'path'), ...parameters(r.query, 'query')],
      responses: {
        [r.method === 'POST' && /(plans|routers|staff|cash)$/.test(r.path) ? '201' : '200']: {
          description: 'OK',
          content:
            r.produces === 'text/csv'
              ? { 'text/csv': { schema: { type: 'string' } } }
              : {
                  'application/json': {
                    schema: r.response ? schema(r.response, 'output') : { type: 'object' },
                  },
                },
        },
        '400': errorResponse,
        ...(access === 'public' ? {} : { '401': errorResponse, '403': errorResponse }),
      },
      ...(access === 'public' ? { security: [] } : {}),
    };
    if (r.body)
      op.requestBody = {
        required: true,
        content: { 'application/json': { schema: schema(r.body, 'input') } },
      };
    paths[path] ??= {};
    paths[path]![r.method.toLowerCase()] = op;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Wavu admin API',
      version,
      description:
        'The JSON API behind the admin dashboard. Sign in with POST /api/admin/login: it sets an HttpOnly session cookie and returns a CSRF token; send that token in the x-csrf-token header on every request that is not a GET. Lists page with keyset cursors: pass nextCursor back as cursor.',
    },
    servers: [{ url: '/' }],
    components: {
      securitySchemes: {
        session: {
          type: 'apiKey',
          in: 'cookie',
          name: 'wavu_admin',
          description: '`__Host-wavu_admin` in production',
        },
      },
    },
    security: [{ session: [] }],
    paths,
  };
}

/** A small self-contained page (no CDN, no scripts from elsewhere) listing every operation. */
export function docsPage(doc: Json): string {
  const esc = (s: unknown) =>
    String(s).replace(
      /[&<>"']/g,
      (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
    );
  const rows: string[] = [];
  for (const [path, ops] of Object.entries(doc.paths as Record<string, Record<string, Json>>)) {
    for (const [method, op] of Object.entries(ops)) {
      const roles = op['x-roles'];
      const params = (op.parameters as Json[]).map((p) => `<code>${esc(p.name)}</code>`).join(' ');
      const body = op.requestBody
        ? `<details><summary>body</summary><pre>${esc(JSON.stringify((op.requestBody as any).content['application/json'].schema, null, 2))}</pre></details>`
        : '';
      rows.push(
        `<tr><td><b class="m ${method}">${method.toUpperCase()}</b></td><td><code>${esc(path)}</code><div>${esc(op.summary)}</div>${params ? `<div class="p">${params}</div>` : ''}${body}</td><td>${esc(Array.isArray(roles) ? roles.join(', ') : roles)}</td></tr>`,
      );
    }
  }
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Wavu admin API</title><style>
:root{color-scheme:light dark;font:15px/1.45 system-ui,sans-serif}body{max-width:1100px;margin:2rem auto;padding:0 1rem}
table{border-collapse:collapse;width:100%}td{border-top:1px solid #8884;padding:.45rem;vertical-align:top}
code{font-size:.92em}.m{font-size:.8em}.get{color:#0a7d4f}.post{color:#1d5fd1}.patch,.put{color:#a66300}.delete{color:#c0392b}
.p{opacity:.75;font-size:.9em}pre{font-size:.8em;overflow:auto}</style></head><body>
<h1>Wavu admin API</h1><p>${esc((doc.info as Json).description)}</p>
<p>Machine-readable: <a href="/api/docs/openapi.json">/api/docs/openapi.json</a> (OpenAPI 3.1).</p>
<table><thead><tr><th>Method</th><th>Path</th><th>Roles</th></tr></thead><tbody>${rows.join('\n')}</tbody></table></body></html>`;
}
