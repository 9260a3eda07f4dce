/**
 * Admin routes are declared as data: method, path, zod schemas and a thin handler. The same list
 * registers the Fastify routes, is checked against the access policy, and becomes the OpenAPI
 * document, so the docs and the enforcement cannot drift apart.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { Deps } from '../../app/deps.ts';
import type { Actor } from '../../audit/index.ts';
import type { AdminPrincipal } from '../auth/sessions.ts';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface Ctx<P = any, Q = any, B = any> {
  deps: Deps;
  req: FastifyRequest;
  reply: FastifyReply;
  /** The signed-in account; null only on public routes. */
  admin: AdminPrincipal | null;
  actor: Actor;
  ip: string | null;
  params: P;
  query: Q;
  body: B;
}

export interface AdminRoute {
  method: Method;
  path: string;
  summary: string;
  tag: string;
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  /** Documented response body (JSON) for OpenAPI. */
  response?: z.ZodType;
  produces?:
    | 'application/json'
    | 'text/csv'
    | 'text/html'
    | 'text/plain'
    | 'application/pdf'
    | 'application/octet-stream';
  handler(ctx: Ctx): Promise<unknown>;
}

export function route<
  P extends z.ZodType = z.ZodUnknown,
  Q extends z.ZodType = z.ZodUnknown,
  B extends z.ZodType = z.ZodUnknown,
>(def: {
  method: Method;
  path: string;
  summary: string;
  tag: string;
  params?: P;
  query?: Q;
  body?: B;
  response?: z.ZodType;
  produces?: AdminRoute['produces'];
  handler(ctx: Ctx<z.output<P>, z.output<Q>, z.output<B>>): Promise<unknown>;
}): AdminRoute {
  return def as AdminRoute;
}
