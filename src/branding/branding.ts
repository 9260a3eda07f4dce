/**
 * How the business presents itself (portal, tickets, SMS): settings key 'branding'
 * ({ name, color, supportPhone }). Values are checked before they reach a page or an SMS: the colour must be #rgb/#rrggbb (it goes into CSS), the
 * phone only digits and separators (it goes into a tel: link). Text on the brand colour is black
 * or white, whichever contrasts more, so any colour the operator picks stays readable.
 */
import { sql } from 'drizzle-orm';
import type { Conn } from '../db/open.ts';
import { query } from '../db/open.ts';

export interface Branding {
  name: string;
  color: string;
  /** Text colour on `color`. */
  onColor: string;
  supportPhone: string | null;
}

export const DEFAULT_BRANDING: Branding = {
  name: 'Wavu WiFi',
  color: '#0b6e4f',
  onColor: '#ffffff',
  supportPhone: null,
};

function channel(c: number): number {
  const s = c / 255;
  return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
}

export function luminance(hex: string): number {
  const h = hex.slice(1);
  const full = h.length === 3 ? [...h].map((x) => x + x).join('') : h;
  const [r, g, b] = [0, 2, 4].map((i) => Number.parseInt(full.slice(i, i + 2), 16));
  return 0.2126 * channel(r!) + 0.7152 * channel(g!) + 0.0722 * channel(b!);
}

export function contrast(a: string, b: string): number {
  const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p) as [number, number];
  return (x + 0.05) / (y + 0.05);
}

export function brandingFrom(value: unknown): Branding {
  const v = (value && typeof value === 'object' ? value : {}) as Record<string, unknown>;
  const name =
    typeof v.name === 'string' && v.name.trim() ? v.name.trim().slice(0, 60) : DEFAULT_BRANDING.name;
  const color =
    typeof v.color === 'string' && /^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/.test(v.color)
      ? v.color.toLowerCase()
      : DEFAULT_BRANDING.color;
  const supportPhone =
    typeof v.supportPhone === 'string' && /^\+?[0-9][0-9 ()-]{3,19}$/.test(v.supportPhone.trim())
      ? v.supportPhone.trim()
      : null;
  const onColor = contrast(color, '#ffffff') >= contrast(color, '#000000') ? '#ffffff' : '#000000';
  return { name, color, onColor, supportPhone };
}

export async function loadBranding(conn: Conn): Promise<Branding> {
  const rows = await query<{ value: unknown }>(conn, sql`SELECT value FROM settings WHERE key = 'branding'`);
  return brandingFromSetting(rows[0]?.value);
}

/** The `branding` settings value as stored, for a caller that read it inside a wider statement. */
export function brandingFromSetting(v: unknown): Branding {
  // Older rows hold the object as a JSON string rather than a JSON object.
  return brandingFrom(typeof v === 'string' ? parseJson(v) : v);
}

function parseJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return null;
  }
}
