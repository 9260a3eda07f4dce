import pino, { type Logger } from 'pino';

/**
 * Secrets never reach logs: known secret fields are censored wherever they appear, and request
 * logging drops headers and bodies (callback bodies are kept in the database instead).
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
];

export function createLogger(level = 'info'): Logger {
  return pino({
    level,
    base: { pid: process.pid },
    redact: {
      paths: [...REDACT, ...REDACT.map((k) => `*.${k}`), ...REDACT.map((k) => `*.*.${k}`)],
      censor: '[redacted]',
    },
  });
}

export type { Logger };

/** Paths of webhooks carry a secret token as their last segment; logs see it masked. */
export function safeUrl(url: string): string {
  const [path = '', q] = url.split('?');
  const masked = path.startsWith('/callbacks/') ? path.replace(/[^/]+$/, '[secret]') : path;
  return q === undefined ? masked : `${masked}?…`;
}
