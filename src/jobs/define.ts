/**
 * The job catalogue's building blocks. Each kind is declared once, in its feature's
 * `job-kinds.ts`, with the schema of its payload and the options its rows and its worker use:
 *
 *   export const GRANT_JOB = defineJob('gateway.grant', z.object({ ... }), { leaseMs: 15_000 });
 *
 * `deps.enqueue(conn, GRANT_JOB, payload)` type-checks the payload against the schema and writes
 * the kind's maxAttempts on the row; `handler(GRANT_JOB, fn)` is the worker's definition, which
 * parses the payload before `fn` sees it. The kind string is what the jobs table stores: never
 * rename one that has shipped.
 */
import { z } from 'zod';
import {
  type JobContext,
  type JobDefinition,
  type JobKind,
  type JobKindOptions,
  PermanentJobError,
} from './types.ts';

export type { JobKind, PayloadOf } from './types.ts';

/** Attempts of a row whose kind does not say (the jobs table's column default too). */
export const DEFAULT_MAX_ATTEMPTS = 12;

/** Declare a job kind (once, in its feature's job-kinds.ts). */
export function defineJob<P>(kind: string, schema: z.ZodType<P>, opts: JobKindOptions = {}): JobKind<P> {
  if (!/^[a-z][a-z0-9_-]*(\.[a-z][a-z0-9_-]*)+$/.test(kind)) throw new Error(`bad job kind name: ${kind}`);
  const maxAttempts = opts.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) throw new Error(`${kind}: maxAttempts must be ≥ 1`);
  if (opts.maxRunning !== undefined && (!Number.isInteger(opts.maxRunning) || opts.maxRunning < 1))
    throw new Error(`${kind}: maxRunning must be ≥ 1`);
  return Object.freeze({
    kind,
    schema,
    maxAttempts,
    leaseMs: opts.leaseMs,
    backoff: opts.backoff ? Object.freeze({ ...opts.backoff }) : undefined,
    maxRunning: opts.maxRunning,
  });
}

/** A payload-less kind (recurring jobs and the like): any object is accepted, and ignored. */
export const noPayload = z.object({});

/**
 * The worker's definition of a kind: the payload is parsed with the kind's schema first. One that
 * does not parse can never succeed on a retry, so it goes straight to `dead` (PermanentJobError).
 */
export function handler<P>(
  k: JobKind<P>,
  fn: (payload: P, ctx: JobContext) => Promise<unknown>,
): JobDefinition<unknown> {
  return {
    kind: k.kind,
    maxAttempts: k.maxAttempts,
    ...(k.leaseMs === undefined ? {} : { leaseMs: k.leaseMs }),
    ...(k.backoff === undefined ? {} : { backoff: k.backoff }),
    ...(k.maxRunning === undefined ? {} : { maxRunning: k.maxRunning }),
    async handle(raw, ctx) {
      const parsed = k.schema.safeParse(raw);
      if (!parsed.success)
        throw new PermanentJobError(`bad payload for ${k.kind}: ${z.prettifyError(parsed.error)}`);
      await fn(parsed.data, ctx);
    },
  };
}
