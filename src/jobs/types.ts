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
  backoff?: { baseMs: number; maxMs: number };
}

export interface RecurringJob {
  kind: string;
  everyMs: number;
  payload?: Record<string, unknown>;
}

export interface EnqueueSpec {
  kind: string;
  payload?: unknown;
  /** When to run; defaults to now. */
  runAt?: Date;
  /** Idempotency key: a second enqueue with the same key is a no-op (returns null). */
  key?: string;
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
