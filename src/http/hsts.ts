/**
 * HTTP Strict Transport Security: once a browser has seen Wavu over https it refuses plain http
 * to that host for a year, so a hostile hotspot cannot downgrade the admin (session cookies) or
 * the portal (codes) to http. Only in production behind an https PUBLIC_URL: the demo and
 * plain-http set-ups must stay reachable over http.
 */
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config.ts';

export const HSTS = 'max-age=31536000';

export function hstsHeader(config: Pick<Config, 'demo' | 'publicUrl'>): string | null {
  return !config.demo && config.publicUrl.startsWith('https://') ? HSTS : null;
}

/** On every response (routes, errors, not-found) when the configuration calls for it. */
export function addHsts(app: FastifyInstance, config: Pick<Config, 'demo' | 'publicUrl'>): void {
  const value = hstsHeader(config);
  if (!value) return;
  app.addHook('onSend', async (_req, reply, payload) => {
    reply.header('strict-transport-security', value);
    return payload;
  });
}
