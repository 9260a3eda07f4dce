/**
 * Who may read /metrics. With METRICS_TOKEN set: a matching bearer token, from anywhere. Without
 * it: loopback peers only, and never a request that came through a proxy (one on this host would
 * otherwise make every visitor look local).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { isLoopback } from '../lib/loopback.ts';

export interface MetricsRequest {
  ip: string;
  authorization: string | undefined;
  forwarded: boolean;
}

const digest = (s: string) => createHash('sha256').update(s).digest();

export function mayReadMetrics(token: string | undefined, r: MetricsRequest): boolean {
  if (token === undefined) return isLoopback(r.ip) && !r.forwarded;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(r.authorization ?? '');
  // Compared as digests: equal length, constant time, whatever the caller sent.
  return m !== null && timingSafeEqual(digest(m[1]!), digest(token));
}
