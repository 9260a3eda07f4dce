/**
 * Operator settings in the `settings` table. Plain values are JSON under their key; secrets live
 * under their own key with `sealed = true`, sealed by deps.sealer, and are write-only: reading the
 * settings tells whether a secret is set, never what it is. Keys:
 *   branding               {name, color, supportPhone}
 *   mpesa                  {shortcode, type, till, consumerKey}
 *   mpesa.consumer_secret  sealed
 *   mpesa.passkey          sealed
 *   sms                    {provider, username, senderId}
 *   sms.api_key            sealed
 * Environment variables remain the fallback for anything not set here.
 */
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Deps } from '../../app/deps.ts';
import { type Conn, query } from '../../db/open.ts';
import { DEFAULT_BRANDING } from '../../branding/index.ts';
import { normalizePhone } from '../../lib/phone.ts';
import { type Actor, audit } from '../../audit/index.ts';

export const brandingSchema = z.object({
  name: z.string().trim().min(1).max(60),
  color: z.string().regex(/^#[0-9a-fA-F]{6}$/, 'A colour like #0a7d4f'),
  supportPhone: z
    .string()
    .trim()
    .max(20)
    .refine((s) => s === '' || normalizePhone(s) !== null, 'A Kenyan phone number')
    .default(''),
});

/** A secret field: a new value, null to clear it, or absent to keep what is stored. */
const secret = z.string().min(1).max(500).nullable().optional();

export const mpesaSchema = z.object({
  shortcode: z.string().regex(/^\d{5,7}$/, '5 to 7 digits'),
  type: z.enum(['paybill', 'till']),
  till: z
    .string()
    .regex(/^\d{5,8}$/)
    .nullable()
    .default(null),
  consumerKey: z.string().trim().max(200).nullable().default(null),
  consumerSecret: secret,
  passkey: secret,
});

export const smsSchema = z.object({
  provider: z.enum(['africastalking', 'none']),
  username: z.string().trim().max(100).nullable().default(null),
  senderId: z.string().trim().max(11).nullable().default(null),
  apiKey: secret,
});

export async function getSetting<T>(conn: Conn, key: string): Promise<T | null> {
  const rows = await query<{ value: unknown }>(
    conn,
    sql`SELECT value FROM settings WHERE key = ${key} AND NOT sealed`,
  );
  const v = rows[0]?.value;
  return v === undefined ? null : ((typeof v === 'string' ? JSON.parse(v) : v) as T);
}

/** A sealed setting in clear, for the feature that uses it (never for the admin API). */
export async function getSecret(conn: Conn, deps: Deps, key: string): Promise<string | null> {
  const rows = await query<{ value: unknown }>(
    conn,
    sql`SELECT value FROM settings WHERE key = ${key} AND sealed`,
  );
  const v = rows[0]?.value;
  if (v === undefined) return null;
  return deps.sealer.unseal(typeof v === 'string' && v.startsWith('"') ? JSON.parse(v) : String(v));
}

async function put(conn: Conn, now: Date, key: string, value: unknown, sealed = false) {
  await query(
    conn,
    sql`INSERT INTO settings (key, value, sealed, updated_at) VALUES (${key}, ${JSON.stringify(value)}::jsonb, ${sealed}, ${now})
        ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, sealed = EXCLUDED.sealed, updated_at = EXCLUDED.updated_at`,
  );
}

async function putSecret(
  conn: Conn,
  deps: Deps,
  key: string,
  v: string | null | undefined,
): Promise<string | null> {
  if (v === undefined) return null;
  if (v === null) {
    await query(conn, sql`DELETE FROM settings WHERE key = ${key}`);
    return 'cleared';
  }
  await put(conn, deps.clock.now(), key, deps.sealer.seal(v), true);
  return 'changed';
}

async function isSet(conn: Conn, key: string) {
  const rows = await query<{ n: number }>(
    conn,
    sql`SELECT count(*)::int AS n FROM settings WHERE key = ${key}`,
  );
  return Number(rows[0]!.n) > 0;
}

export async function readSettings(deps: Deps) {
  const db = deps.db;
  const mpesa = await getSetting<Record<string, unknown>>(db, 'mpesa');
  const sms = await getSetting<Record<string, unknown>>(db, 'sms');
  return {
    branding: {
      name: DEFAULT_BRANDING.name,
      color: DEFAULT_BRANDING.color,
      supportPhone: '', // the form's empty field, not null
      ...((await getSetting<object>(db, 'branding')) ?? {}),
    },
    mpesa: {
      shortcode: (mpesa?.shortcode as string) ?? deps.config.mpesa.shortcode,
      type: (mpesa?.type as string) ?? deps.config.mpesa.type,
      till: (mpesa?.till as string | null) ?? deps.config.mpesa.till ?? null,
      consumerKey: (mpesa?.consumerKey as string | null) ?? null,
      consumerSecretSet: await isSet(db, 'mpesa.consumer_secret'),
      passkeySet: await isSet(db, 'mpesa.passkey'),
      source: mpesa ? 'settings' : 'environment',
    },
    sms: {
      provider: (sms?.provider as string) ?? deps.config.sms.provider,
      username: (sms?.username as string | null) ?? deps.config.sms.atUsername ?? null,
      senderId: (sms?.senderId as string | null) ?? deps.config.sms.atSenderId ?? null,
      apiKeySet: await isSet(db, 'sms.api_key'),
      source: sms ? 'settings' : 'environment',
    },
  };
}

export async function saveBranding(
  deps: Deps,
  b: z.output<typeof brandingSchema>,
  actor: Actor,
  ip: string | null,
) {
  await deps.db.transaction(async (tx) => {
    await put(tx, deps.clock.now(), 'branding', b);
    await audit(tx, deps, {
      actor,
      action: 'settings.branding',
      entity: 'settings',
      entityId: 'branding',
      detail: b,
      ip,
    });
  });
}

export async function saveMpesa(
  deps: Deps,
  m: z.output<typeof mpesaSchema>,
  actor: Actor,
  ip: string | null,
) {
  const { consumerSecret, passkey, ...plain } = m;
  await deps.db.transaction(async (tx) => {
    await put(tx, deps.clock.now(), 'mpesa', plain);
    const s1 = await putSecret(tx, deps, 'mpesa.consumer_secret', consumerSecret);
    const s2 = await putSecret(tx, deps, 'mpesa.passkey', passkey);
    await audit(tx, deps, {
      actor,
      action: 'settings.mpesa',
      entity: 'settings',
      entityId: 'mpesa',
      detail: { ...plain, ...(s1 ? { consumerSecret: s1 } : {}), ...(s2 ? { passkey: s2 } : {}) },
      ip,
    });
  });
}

export async function saveSms(deps: Deps, m: z.output<typeof smsSchema>, actor: Actor, ip: string | null) {
  const { apiKey, ...plain } = m;
  await deps.db.transaction(async (tx) => {
    await put(tx, deps.clock.now(), 'sms', plain);
    const s = await putSecret(tx, deps, 'sms.api_key', apiKey);
    await audit(tx, deps, {
      actor,
      action: 'settings.sms',
      entity: 'settings',
      entityId: 'sms',
      detail: { ...plain, ...(s ? { apiKey: s } : {}) },
      ip,
    });
  });
}
