/**
 * The connect page's `?t=`: the access code sealed (AES-GCM under SECRET_KEY) with a short expiry,
 * so redirects stay plain GETs without the code itself in the address bar, history or logs.
 */
import type { Sealer } from '../lib/seal.ts';

export interface ConnectGrant {
  code: string;
  accessCodeId: string | null;
  /** Issued at (ms); also bounds how long we wait for a pending router grant. */
  at: number;
}

const TTL_MS = 15 * 60_000;

export function sealGrant(sealer: Sealer, g: ConnectGrant): string {
  return sealer.seal(JSON.stringify({ c: g.code, a: g.accessCodeId, t: g.at }));
}

export function openGrant(sealer: Sealer, token: string, nowMs: number): ConnectGrant | null {
  try {
    const v = JSON.parse(sealer.unseal(token)) as { c?: unknown; a?: unknown; t?: unknown };
    if (typeof v.c !== 'string' || typeof v.t !== 'number') return null;
    if (nowMs - v.t > TTL_MS || v.t - nowMs > 60_000) return null;
    return { code: v.c, accessCodeId: typeof v.a === 'string' ? v.a : null, at: v.t };
  } catch {
    return null;
  }
}
