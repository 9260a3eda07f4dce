/**
 * One error type for everything the user may see. `code` picks the HTTP status from one table;
 * `message` is written for the person on the other end; `detail` goes to logs only.
 */
export const errorStatus = {
  bad_request: 400,
  validation: 400,
  unauthorized: 401,
  forbidden: 403,
  csrf: 403,
  not_found: 404,
  conflict: 409,
  gone: 410,
  payment_in_progress: 409,
  rate_limited: 429,
  upstream: 502,
  unavailable: 503,
  internal: 500,
} as const;

export type ErrorCode = keyof typeof errorStatus;

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly detail: unknown;
  readonly retryAfterSeconds: number | undefined;
  constructor(code: ErrorCode, message: string, opts: { detail?: unknown; retryAfterSeconds?: number } = {}) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.detail = opts.detail;
    this.retryAfterSeconds = opts.retryAfterSeconds;
  }
  get status(): number {
    return errorStatus[this.code];
  }
}

export const isAppError = (e: unknown): e is AppError => e instanceof AppError;
