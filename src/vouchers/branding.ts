import { sql } from 'drizzle-orm';
import { type Conn, query } from '../db/open.ts';

/** How the business presents itself on tickets and SMS: `settings` key 'branding'. */
export interface Branding {
  name: string;
  color: string;
  supportPhone: string | null;
}

export const DEFAULT_BRANDING: Branding = { name: 'Wavu WiFi', color: '#0f766e', supportPhone: null };

export async function getBranding(conn: Conn): Promise<Branding> {
  const [row] = await query<{ value: unknown }>(conn, sql`SELECT value FROM settings WHERE key = 'branding'`);
  const raw = typeof row?.value === 'string' ? safeJson(row.value) : row?.value;
  const v = (raw ?? {}) as Partial<Record<keyof Branding, unknown>>;
  const name =
    typeof v.name === 'string' && v.name.trim() ? v.name.trim().slice(0, 60) : DEFAULT_BRANDING.name;
  const color =
    typeof v.color === 'string' && /^#[0-9a-fA-F]{6}$/.test(v.color) ? v.color : DEFAULT_BRANDING.color;
  const supportPhone =
    typeof v.supportPhone === 'string' && v.supportPhone.trim() ? v.supportPhone.trim() : null;
  return { name, color, supportPhone };
}

function safeJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return null;
  }
}
