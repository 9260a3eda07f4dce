/**
 * The one interface every SMS gateway sits behind. A provider either accepts the message (and
 * returns its own id for it) or throws an SmsError saying whether trying again can help.
 */
export interface SmsProvider {
  readonly name: string;
  /** `to` is a normalised Kenyan number (2547XXXXXXXX); providers format it as they need. */
  send(to: string, body: string): Promise<{ providerId: string }>;
}

export class SmsError extends Error {
  override name = 'SmsError';
  /** true: a later attempt may succeed (gateway down, out of credit). false: it never will. */
  readonly retryable: boolean;
  /** The provider's own status/code, for the operator reading `sms_messages.last_error`. */
  readonly providerCode: string | undefined;
  constructor(message: string, opts: { retryable: boolean; providerCode?: string | number }) {
    super(message);
    this.retryable = opts.retryable;
    this.providerCode = opts.providerCode === undefined ? undefined : String(opts.providerCode);
  }
}

/** Anything a provider throws that is not an SmsError (a bug, a DNS hiccup) is worth a retry. */
export function asSmsError(e: unknown): SmsError {
  if (e instanceof SmsError) return e;
  return new SmsError(e instanceof Error ? e.message : String(e), { retryable: true });
}

/** SMS_PROVIDER=none: nothing is sent; queued messages fail at once with a clear reason. */
export const noSmsProvider: SmsProvider = {
  name: 'none',
  async send() {
    throw new SmsError('No SMS provider is configured (SMS_PROVIDER=none)', { retryable: false });
  },
};
