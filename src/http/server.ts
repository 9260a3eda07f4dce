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
import { clientErrorStatus, describeZod, errorBody } from './errors.ts';
import { safeUrl } from '../lib/log.ts';
import { addHsts } from './hsts.ts';

// The error bodies and statuses live apart, so code that only describes an error (a CLI, a use
// case reading input) does not load Fastify.
export { clientErrorStatus, describeZod, errorBody } from './errors.ts';

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
    // A client that sends headers and then never the whole body is cut off with a 408 (slow
    // loris), instead of holding a connection for ever. Node checks open requests on an interval
    // (kept shorter than the timeout) and does not cut off a request while its headers timeout
    // (60 s by default) is longer than the request timeout, so that one is set to match.
    requestTimeout: deps.config.requestTimeoutMs,
    http: {
      headersTimeout: deps.config.requestTimeoutMs,
      connectionsCheckingInterval: Math.min(30_000, Math.ceil(deps.config.requestTimeoutMs / 2)),
    },
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
    const status = clientErrorStatus(err);
    if (status !== null) {
      const fe = err as { message: string; statusCode?: number };
      const code: ErrorCode = status === 429 ? 'rate_limited' : status === 400 ? 'validation' : 'bad_request';
      return reply.code(status).send(errorBody(code, fe.message));
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
