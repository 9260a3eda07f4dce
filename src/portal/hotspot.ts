/**
 * The MikroTik hotspot variables the router's login.html hands to the portal. They come from the
 * customer's browser, so each is checked and anything malformed is dropped (not echoed): a MAC in
 * MikroTik form, an IPv4/IPv6 address, only http(s) URLs, CHAP values in the octal-escape form
 * RouterOS renders. They ride along on every page as query parameters and hidden fields.
 */
import { isIP } from 'node:net';
import { normalizeMac } from '../lib/mac.ts';

export interface Hotspot {
  mac?: string;
  ip?: string;
  linkLoginOnly?: string;
  linkOrig?: string;
  chapId?: string;
  chapChallenge?: string;
  /** Router name or numeric id as configured in Wavu. */
  router?: string;
  /** Message the router put in $(error) after a failed login. */
  error?: string;
}

/** Wire names (as the generated login.html posts them) → our field names. */
const FIELDS = [
  ['mac', 'mac'],
  ['ip', 'ip'],
  ['link-login-only', 'linkLoginOnly'],
  ['link-orig', 'linkOrig'],
  ['chap-id', 'chapId'],
  ['chap-challenge', 'chapChallenge'],
  ['router', 'router'],
  ['error', 'error'],
] as const;

export function httpUrl(input: string): string | undefined {
  if (input.length > 2000) return undefined;
  try {
    const u = new URL(input.trim());
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return undefined;
    if (u.username || u.password) return undefined;
    return u.toString();
  } catch {
    return undefined;
  }
}

/** RouterOS renders chap-id/chap-challenge as octal escapes (`\371`); one and sixteen bytes. */
const CHAP = /^(\\[0-3][0-7]{2}){1,32}$/;

function clean(name: (typeof FIELDS)[number][1], v: string): string | undefined {
  switch (name) {
    case 'mac':
      return normalizeMac(v) ?? undefined;
    case 'ip': {
      const ip = v.trim();
      return isIP(ip) ? ip : undefined;
    }
    case 'linkLoginOnly':
    case 'linkOrig':
      return httpUrl(v);
    case 'chapId':
    case 'chapChallenge':
      return CHAP.test(v) ? v : undefined;
    case 'router':
      return /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/.test(v) ? v : undefined;
    case 'error': {
      // Plain text only, short; it is shown escaped.
      const s = v.replace(/[\u0000-\u001f\u007f]/g, ' ').trim();
      return s ? s.slice(0, 160) : undefined;
    }
  }
}

/** Read the hotspot variables from a parsed query string or form body. */
export function parseHotspot(src: Record<string, unknown> | undefined | null): Hotspot {
  const out: Hotspot = {};
  if (!src) return out;
  for (const [wire, key] of FIELDS) {
    const raw = src[wire];
    const v = Array.isArray(raw) ? raw[0] : raw;
    if (typeof v !== 'string' || v === '') continue;
    const c = clean(key, v);
    if (c !== undefined) out[key] = c;
  }
  return out;
}

/** The wire pairs to carry on to the next page (the router's one-off error is not carried). */
export function hotspotPairs(h: Hotspot): [string, string][] {
  const pairs: [string, string][] = [];
  for (const [wire, key] of FIELDS) {
    if (key === 'error') continue;
    const v = h[key];
    if (v !== undefined) pairs.push([wire, v]);
  }
  return pairs;
}

/** The hotspot's own log-out page sits beside its login page (MikroTik: /login → /logout). */
export function logoutUrl(hs: Hotspot): string | null {
  if (!hs.linkLoginOnly) return null;
  const u = new URL(hs.linkLoginOnly);
  u.pathname = u.pathname.replace(/login$/, 'logout');
  if (!u.pathname.endsWith('logout')) return null;
  u.search = '';
  return u.toString();
}
