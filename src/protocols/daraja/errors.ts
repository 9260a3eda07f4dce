/**
 * Daraja answers synchronous failures with `{requestId, errorCode, errorMessage}`, but one code
 * means several things (`500.001.1001` is wrong credentials, unknown merchant, subscriber locked
 * and "still processing"), so the message is read too. Rate limiting comes from the API gateway
 * in front (HTTP 429, not Daraja JSON). Everything becomes one typed value here.
 */
export type DarajaError =
  /** Token expired, revoked by a newer one, or the product is not enabled on the app. */
  | { kind: 'invalid_token'; errorCode: string; message: string }
  /** `400.002.02 Bad Request - Invalid <Field>`; `field` is the suffix. */
  | { kind: 'bad_request'; errorCode: string; message: string; field: string | null }
  | { kind: 'auth_failed'; errorCode: string; message: string }
  | { kind: 'wrong_credentials'; errorCode: string; message: string }
  | { kind: 'unknown_merchant'; errorCode: string; message: string }
  /** The customer has a USSD session open; wait a minute before pushing again. */
  | { kind: 'subscriber_locked'; errorCode: string; message: string }
  | { kind: 'rate_limited'; errorCode: string; message: string; retryAfterMs: number | null }
  | { kind: 'quota'; errorCode: string; message: string }
  | { kind: 'server'; errorCode: string; message: string; status: number }
  /** No answer in time: for a push this means "unknown whether accepted". */
  | { kind: 'timeout'; errorCode: 'timeout'; message: string }
  | { kind: 'network'; errorCode: 'network'; message: string }
  | { kind: 'unexpected'; errorCode: string; message: string; status: number };

export type DarajaErrorKind = DarajaError['kind'];

export interface ErrorEnvelope {
  requestId?: string;
  errorCode?: string;
  errorMessage?: string;
}

/** True for the STK Query answer that means "the customer has not finished yet". */
export function isBeingProcessed(status: number, body: ErrorEnvelope | null): boolean {
  return (
    status === 500 && body?.errorCode === '500.001.1001' && /being processed/i.test(body.errorMessage ?? '')
  );
}

export function classifyError(
  status: number,
  body: ErrorEnvelope | null,
  retryAfterHeader: string | null = null,
): DarajaError {
  const errorCode = body?.errorCode ?? `http.${status}`;
  const message = body?.errorMessage ?? `HTTP ${status}`;
  const m = message.toLowerCase();
  if (status === 429 || errorCode === '500.003.02' || m.includes('spike arrest')) {
    const secs = retryAfterHeader ? Number(retryAfterHeader) : Number.NaN;
    return {
      kind: 'rate_limited',
      errorCode,
      message,
      retryAfterMs: Number.isFinite(secs) && secs >= 0 ? secs * 1000 : null,
    };
  }
  if (
    ['404.001.03', '400.003.01', '401.003.01'].includes(errorCode) ||
    m.includes('invalid access token') ||
    m.includes('no apiproduct match')
  ) {
    return { kind: 'invalid_token', errorCode, message };
  }
  if (errorCode.startsWith('400.008.')) return { kind: 'auth_failed', errorCode, message };
  if (errorCode === '500.001.1001') {
    if (m.includes('wrong credentials')) return { kind: 'wrong_credentials', errorCode, message };
    if (m.includes('merchant does not exist')) return { kind: 'unknown_merchant', errorCode, message };
    if (m.includes('unable to lock subscriber')) return { kind: 'subscriber_locked', errorCode, message };
  }
  if (errorCode === '500.003.03' || m.includes('quota violation'))
    return { kind: 'quota', errorCode, message };
  if (status === 400 || errorCode.startsWith('400.')) {
    const f = /invalid\s+([A-Za-z]+)/i.exec(message);
    return { kind: 'bad_request', errorCode, message, field: f?.[1] ?? null };
  }
  if (status >= 500) return { kind: 'server', errorCode, message, status };
  return { kind: 'unexpected', errorCode, message, status };
}
