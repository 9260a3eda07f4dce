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

/**
 * The `wavu_paid` cookie, set on the connect page: this browser was handed this code. When the
 * router's login then fails and sends the browser back to the portal, the portal shows the code
 * and a retry instead of the packages. Bound to the device's MAC as the hotspot reported it; the
 * code's own liveness is checked in the database on every use, so a day's life is only a cap.
 */
export interface PaidMark {
  code: string;
  accessCodeId: string;
  mac: string | null;
}

const PAID_TTL_MS = 24 * 3600_000;
export const PAID_COOKIE = 'wavu_paid';
export const PAID_COOKIE_MAX_AGE_S = PAID_TTL_MS / 1000;

export function sealPaid(sealer: Sealer, m: PaidMark, nowMs: number): string {
  return sealer.seal(JSON.stringify({ k: 'paid', c: m.code, a: m.accessCodeId, m: m.mac, t: nowMs }));
}

export function openPaid(sealer: Sealer, token: string, nowMs: number): PaidMark | null {
  try {
    const v = JSON.parse(sealer.unseal(token)) as {
      k?: unknown;
      c?: unknown;
      a?: unknown;
      m?: unknown;
      t?: unknown;
    };
    if (v.k !== 'paid' || typeof v.c !== 'string' || typeof v.a !== 'string' || typeof v.t !== 'number')
      return null;
    if (nowMs - v.t > PAID_TTL_MS || v.t - nowMs > 60_000) return null;
    return { code: v.c, accessCodeId: v.a, mac: typeof v.m === 'string' ? v.m : null };
  } catch {
    return null;
  }
}
