/**
 * The Fastify app: one error model for every route. Routes throw AppError (or let zod throw);
 * the handler below maps the code to a status through the one table in lib/errors.ts and answers
 * {error:{code,message}}. Unknown errors are logged in full and shown as a plain 500.
 */
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { ZodError } from 'zod';
import type { Deps } from '../app/deps.ts';
import type { Module } from '../app/module.ts';
import { AppError, type ErrorCode, errorStatus } from '../lib/errors.ts';
import { safeUrl } from '../lib/log.ts';
import { addHsts } from './hsts.ts';

export function errorBody(code: ErrorCode, message: string, extra?: Record<string, unknown>) {
  return { error: { code, message, ...extra } };
}

/** Zod issues as one sentence a person can act on: "phone: Enter a Safaricom number". */
export function describeZod(e: ZodError): string {
  return e.issues
    .slice(0, 5)
    .map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message))
    .join('; ');
}

export async function buildServer(deps: Deps, mods: Module[]): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.log.child(
      { component: 'http' },
      {
        // Only method, masked path and peer: no headers (cookies), no query strings (codes).
        serializers: {
          req: (r: { method: string; url: string; ip?: string }) => ({
            method: r.method,
            url: safeUrl(r.url),
            ip: r.ip,
          }),
        },
      },
    ) as FastifyBaseLogger,
    // Per-IP rate limits depend on the real client address: only named proxies may rewrite it.
    trustProxy: deps.config.trustProxy,
    bodyLimit: 1_048_576,
    requestIdHeader: false,
  });
  app.setErrorHandler((err, req, reply) => {
    if (err instanceof AppError) {
      if (err.status >= 500) req.log.error({ err, detail: err.detail }, err.message);
      else req.log.info({ code: err.code, detail: err.detail }, err.message);
      if (err.retryAfterSeconds) reply.header('retry-after', String(err.retryAfterSeconds));
      return reply.code(err.status).send(errorBody(err.code, err.message));
    }
    if (err instanceof ZodError) {
      return reply.code(400).send(errorBody('validation', describeZod(err)));
    }
    const fe = err as { statusCode?: number; code?: string; message: string; validation?: unknown };
    if (
      fe.validation ||
      fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' ||
      fe.code === 'FST_ERR_CTP_EMPTY_JSON_BODY'
    ) {
      return reply.code(400).send(errorBody('validation', fe.message));
    }
    if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) {
      const code: ErrorCode =
        fe.statusCode === 413 ? 'bad_request' : fe.statusCode === 429 ? 'rate_limited' : 'bad_request';
      return reply.code(fe.statusCode).send(errorBody(code, fe.message));
    }
    req.log.error({ err }, 'unhandled error');
    return reply.code(500).send(errorBody('internal', 'Something went wrong on our side. Please try again.'));
  });

  app.setNotFoundHandler((req, reply) => {
    reply.code(404).send(errorBody('not_found', `Nothing at ${req.method} ${safeUrl(req.url)}`));
  });

  addHsts(app, deps.config);

  for (const m of mods) {
    if (m.demoOnly && !deps.config.demo) continue;
    if (m.routes) await m.routes(app, deps);
  }
  return app;
}

export { errorStatus };
