/** The one error body of the HTTP API, and how an error maps to a 4xx (Fastify's own included). */
import { ZodError } from 'zod';
import { AppError, type ErrorCode } from '../lib/errors.ts';

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

/**
 * The 4xx status for errors that are the client's fault (ours, zod's, or Fastify's own: body too
 * large, unreadable JSON, unknown content type); null for everything else. Shared with the
 * portal, which answers the same statuses with an HTML page.
 */
export function clientErrorStatus(err: unknown): number | null {
  if (err instanceof AppError) return err.status < 500 ? err.status : null;
  if (err instanceof ZodError) return 400;
  const fe = err as { statusCode?: unknown; validation?: unknown; code?: unknown };
  // An unknown content type is a malformed request here (the API takes JSON only): 400, not 415.
  if (
    fe.validation ||
    fe.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' ||
    fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE'
  )
    return 400;
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) return fe.statusCode;
  return null;
}
