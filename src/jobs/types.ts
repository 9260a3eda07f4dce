import type { z } from 'zod';

export interface JobContext {
  job: { id: number; kind: string; attempts: number; maxAttempts: number };
  /** Aborted when the worker shuts down; long handlers should stop early and let the job retry. */
  signal: AbortSignal;
}

export interface JobDefinition<P = any> {
  kind: string;
  /** Must be idempotent: a job can run more than once (crash after the side effect, lease expiry). */
  handle(payload: P, ctx: JobContext): Promise<void>;
  maxAttempts?: number;
  /** How long a claim lasts before another worker may take the job over (renewed while running). */
  leaseMs?: number;
  backoff?: Backoff;
  /** At most this many of the kind run at once in one worker, so a long kind cannot hold every slot. */
  maxRunning?: number;
}

export interface Backoff {
  baseMs: number;
  maxMs: number;
}

export interface JobKindOptions {
  /** Attempts written on each row (the row's max_attempts is what governs retries). */
  maxAttempts?: number;
  /** How long a claim lasts before another worker may take the job over (renewed while running). */
  leaseMs?: number;
  backoff?: Backoff;
  /**
   * At most this many of the kind run at once in one worker. For kinds that can run for minutes
   * (a router's reconcile after a reset), so grants and expiries always find a free slot.
   */
  maxRunning?: number;
}

/** One kind of job, declared once in its feature's job-kinds.ts (jobs/define.ts). */
export interface JobKind<P> {
  /** The string the jobs table stores: never rename one that has shipped. */
  readonly kind: string;
  readonly schema: z.ZodType<P>;
  /** Written on each row unless the enqueue says otherwise. */
  readonly maxAttempts: number;
  readonly leaseMs: number | undefined;
  readonly backoff: Readonly<Backoff> | undefined;
  readonly maxRunning: number | undefined;
}

/** The payload type of a kind. */
export type PayloadOf<K> = K extends JobKind<infer P> ? P : never;

/** One row per `everyMs` slot, with the kind's maxAttempts (1 for every recurring kind so far). */
export interface RecurringJob {
  job: JobKind<any>;
  everyMs: number;
  payload?: Record<string, unknown>;
}

export interface EnqueueOptions {
  /** When to run; defaults to now. */
  runAt?: Date;
  /** Idempotency key: a second enqueue with the same key is a no-op (returns null). */
  key?: string;
  /** Defaults to the kind's. */
  maxAttempts?: number;
}

/** Throw from a handler to retry at a chosen time instead of the default backoff. */
export class RetryLater extends Error {
  constructor(
    readonly delayMs: number,
    message = 'retry later',
  ) {
    super(message);
    this.name = 'RetryLater';
  }
}

/** Throw from a handler when retrying cannot help; the job goes straight to `dead`. */
export class PermanentJobError extends Error {
  override name = 'PermanentJobError';
}
