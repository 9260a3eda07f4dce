/**
 * The portal's HTTP edge, shared by every route file: the form parser, the per-request context
 * (language, branding, hotspot variables, CSP nonce), how a page is sent (strict headers, gzip so
 * it arrives in the first round trip), redirects, the HTML error and not-found pages, and the zod
 * helpers the routes read their input with. Routes parse, call one use case and pick a page.
 */
import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Deps } from '../app/deps.ts';
import { loadBranding } from '../branding/index.ts';
import { resolveRouterId } from '../gateways/index.ts';
import { clientErrorStatus } from '../http/server.ts';
import type { ReturningDevice } from './backend.ts';
import type { Hotspot } from './hotspot.ts';
import { parseHotspot } from './hotspot.ts';
import type { Html } from './html.ts';
import { dict, pickLang } from './i18n/index.ts';
import { link, type PageCtx } from './layout.ts';
import * as pages from './pages.ts';
import { sealGrant } from './token.ts';

export type Params = Record<string, unknown>;
const FORM = 'application/x-www-form-urlencoded';

/** What every route file is handed: the portal's page helpers, bound to this app's deps. */
export interface PortalKit {
  context(req: FastifyRequest, reply: FastifyReply, input: unknown, self: PageCtx['self']): Promise<PageCtx>;
  send(req: FastifyRequest, reply: FastifyReply, ctx: PageCtx, body: Html, status?: number): unknown;
  redirect(reply: FastifyReply, to: string): unknown;
  /** The HTML 404 page (an unknown purchase, a forged token, a malformed id). */
  notFound(req: FastifyRequest, reply: FastifyReply, ctx: PageCtx): unknown;
  /** The router the hotspot variables name, as its id (null: none or unknown). */
  routerIdOf(hs: Hotspot): Promise<number | null>;
  /** The device as the returning-customer checks see it. */
  returning(req: FastifyRequest, hs: Hotspot): Promise<ReturningDevice>;
  /** The connect page's address for a code just handed over (the code sealed, not in the URL). */
  connectUrl(ctx: PageCtx, code: string, accessCodeId: string | null): string;
}

/** One route file: registers its routes under /portal. */
export type PortalRoutes = (app: FastifyInstance, deps: Deps, kit: PortalKit) => void;

// ── input ────────────────────────────────────────────────────────────────────

/**
 * One field of a form or query string, as text. Anything else (a repeated query key, a number or
 * object in a JSON body) reads as absent, so odd input ends on the form's own message, never a 5xx.
 */
export const text = z.string().optional().catch(undefined);
/** A field cut to the length the page keeps (what was typed is echoed back, never more). */
export const cut = (max: number) => text.transform((v) => v?.slice(0, max));
/** `e=`: one of the form's own error codes, else nothing. */
export const formError = text.transform((v) => (pages.isFormError(v) ? v : undefined));
/** `s=`: seconds to wait before trying again, 1 to 600. */
export const waitSeconds = text.transform((v) => {
  const n = Number(v);
  return Number.isInteger(n) && n > 0 && n <= 600 ? n : undefined;
});
export const uuid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);
/** A calendar day as the date input sends it. */
export const isDay = (v: string | undefined): v is string =>
  !!v && /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(`${v}T00:00:00Z`));

/** The body or query as an object: a JSON string, array or null reads as an empty form. */
const asObject = (raw: unknown): Params =>
  raw !== null && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Params) : {};

/** Read a query string, body or route params with a schema that never fails (its fields catch). */
export function read<S extends z.ZodType>(schema: S, raw: unknown): z.output<S> {
  return schema.parse(asObject(raw));
}

/**
 * Check a form with a schema whose issue messages are the form's error codes (see `fail`): the
 * first issue, in field order, is the message the form shows; `otherwise` stands for an issue
 * zod raised itself.
 */
export function check<S extends z.ZodType>(
  schema: S,
  raw: unknown,
  otherwise: pages.FormError,
): { ok: true; data: z.output<S> } | { ok: false; error: pages.FormError } {
  const r = schema.safeParse(asObject(raw));
  if (r.success) return { ok: true, data: r.data };
  const first = r.error.issues[0]?.message;
  return { ok: false, error: pages.isFormError(first) ? first : otherwise };
}

/** A zod issue that carries a form error code (see `check`). */
export const fail = (ctx: z.RefinementCtx, e: pages.FormError) => {
  ctx.addIssue({ code: 'custom', message: e });
  return z.NEVER;
};

/** The route params, or null when they are not what the route takes (the route answers 404). */
export function params<S extends z.ZodType>(schema: S, req: FastifyRequest): z.output<S> | null {
  const r = schema.safeParse(req.params);
  return r.success ? r.data : null;
}

// ── output ───────────────────────────────────────────────────────────────────

async function context(
  deps: Deps,
  req: FastifyRequest,
  reply: FastifyReply,
  raw: unknown,
  self: PageCtx['self'],
): Promise<PageCtx> {
  const input = asObject(raw);
  const { lang, fromQuery } = pickLang(input.lang, req.headers.cookie);
  if (fromQuery) reply.header('set-cookie', `wavu_lang=${lang}; Path=/; Max-Age=31536000; SameSite=Lax`);
  return {
    t: dict(lang),
    lang,
    brand: await loadBranding(deps.db),
    hs: parseHotspot(input),
    nonce: randomBytes(12).toString('base64'),
    self,
  };
}

function send(req: FastifyRequest, reply: FastifyReply, ctx: PageCtx, body: Html, status = 200) {
  reply
    .code(status)
    .header('content-type', 'text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .header('referrer-policy', 'no-referrer')
    .header('x-content-type-options', 'nosniff')
    .header('x-frame-options', 'DENY')
    // Nothing may load from elsewhere; forms may post to the hotspot's own login URL (http or https).
    .header(
      'content-security-policy',
      `default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'nonce-${ctx.nonce}'; connect-src 'self'; form-action 'self' http: https:; base-uri 'none'; frame-ancestors 'none'`,
    )
    .header('vary', 'accept-encoding, cookie');
  // The whole page must arrive in the first round trip: send it gzipped whenever the client takes it.
  if (/\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''))) {
    return reply.header('content-encoding', 'gzip').send(gzipSync(body.value));
  }
  return reply.send(body.value);
}

const redirect = (reply: FastifyReply, to: string) =>
  reply.code(303).header('cache-control', 'no-store').redirect(to, 303);

/** The form parser, the HTML error pages and the kit the route files share, on the /portal scope. */
/** `home` is the scope's own root, where the 404 and error pages link back to. */
export function portalEdge(app: FastifyInstance, deps: Deps, home = '/portal'): PortalKit {
  if (!app.hasContentTypeParser(FORM)) {
    app.addContentTypeParser(FORM, { parseAs: 'string', bodyLimit: 16_384 }, (_req, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(String(body))));
    });
  }
  const ctxOf = (req: FastifyRequest, reply: FastifyReply, input: unknown, self: PageCtx['self']) =>
    context(deps, req, reply, input, self);
  const routerIdOf = (hs: Hotspot) => resolveRouterId(deps.db, hs.router);
  const kit: PortalKit = {
    context: ctxOf,
    send,
    redirect,
    notFound: (req, reply, ctx) => send(req, reply, ctx, pages.errorPage(ctx, { kind: 'not_found' }), 404),
    routerIdOf,
    returning: async (req, hs) => ({ hs, routerId: await routerIdOf(hs), sourceIp: req.ip }),
    connectUrl: (ctx, code, accessCodeId) =>
      link(ctx, '/portal/connect', [
        ['t', sealGrant(deps.sealer, { code, accessCodeId, at: deps.clock.now().getTime() })],
      ]),
  };

  app.setNotFoundHandler(async (req, reply) => {
    const ctx = await ctxOf(req, reply, req.query, { path: home });
    return kit.notFound(req, reply, ctx);
  });
  app.setErrorHandler(async (err, req, reply) => {
    // The client's fault (a form over 16 KB, unreadable JSON, an unknown body type): its own 4xx.
    const status = clientErrorStatus(err);
    if (status === null) req.log.error({ err }, 'portal page failed');
    else req.log.info({ code: (err as { code?: unknown }).code, status }, 'portal request refused');
    const ctx = await ctxOf(req, reply, req.query, { path: home });
    if (status !== null) return send(req, reply, ctx, pages.errorPage(ctx, { kind: 'bad_request' }), status);
    return send(req, reply, ctx, pages.errorPage(ctx, { kind: 'problem' }), 500);
  });
  return kit;
}
