/** Daraja's answers in words an operator can act on (the Settings page's Test and Register buttons). */
import type { DarajaError } from '../protocols/daraja/index.ts';

export function explainDarajaError(e: DarajaError, environment: 'sandbox' | 'production'): string {
  const other = environment === 'sandbox' ? 'production' : 'sandbox';
  switch (e.kind) {
    case 'auth_failed':
      return `Daraja refused the consumer key or secret. Check both, and that they come from your ${environment} app on the Daraja portal (keys of a ${other} app do not work here).`;
    case 'invalid_token':
      return `Daraja gave a token but refuses it for this product: tick the product on your ${environment} app on the Daraja portal, or check the Environment setting.`;
    case 'wrong_credentials':
      return 'Daraja refused the shortcode and passkey together: check the passkey Safaricom sent for this shortcode.';
    case 'unknown_merchant':
      return `Daraja does not know this shortcode in ${environment}: check the shortcode and the Environment setting.`;
    case 'timeout':
    case 'network':
      return `Wavu could not reach Daraja (${e.message}). Check this server's internet connection.`;
    case 'rate_limited':
    case 'quota':
      return 'Daraja says too many requests: wait a minute and try again.';
    case 'bad_request':
      if (e.errorCode === 'not_configured') return e.message;
      if (/already registered/i.test(e.message))
        return 'Daraja says URLs are already registered for this shortcode. In production, delete them first under Self Services → URL Management on the Daraja portal (two approvals), then register again.';
      return `Daraja refused the request: ${e.message}`;
    default:
      return `Daraja answered: ${e.message}`;
  }
}
