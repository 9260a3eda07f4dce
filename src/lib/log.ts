import pino, { type Logger } from 'pino';
import { withoutQueryValues } from './db-error.ts';

/**
 * Secrets never reach logs: known secret fields are censored wherever they appear, and request
 * logging drops headers and bodies (callback bodies are kept in the database instead). Errors are
 * logged without the values of a failed query (phones, receipts, SMS texts with codes): the
 * database layer already throws them scrubbed, and the error serializers scrub any that were not.
 */
const REDACT = [
  'password',
  'secret',
  'passkey',
  'token',
  'apiKey',
  'authorization',
  'cookie',
  'consumerKey',
  'consumerSecret',
  'secretKey',
  'Password',
  // Query parameters of a database error.
  'params',
];

const errorSerializer = (e: unknown) => pino.stdSerializers.err(withoutQueryValues(e) as Error);

/** `destination`: where lines go (default stdout); tests capture them. */
export function createLogger(level = 'info', destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: { pid: process.pid },
    serializers: { err: errorSerializer, error: errorSerializer },
    redact: {
      paths: [...REDACT, ...REDACT.map((k) => `*.${k}`), ...REDACT.map((k) => `*.*.${k}`)],
      censor: '[redacted]',
    },
  };
  return destination ? pino(options, destination) : pino(options);
}

export type { Logger };

/** Paths of webhooks carry a secret token as their last segment; logs see it masked. */
export function safeUrl(url: string): string {
  const [path = '', q] = url.split('?');
  const masked = path.startsWith('/callbacks/') ? path.replace(/[^/]+$/, '[secret]') : path;
  return q === undefined ? masked : `${masked}?…`;
}
