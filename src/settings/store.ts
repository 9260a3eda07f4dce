/**
 * The `settings` table: plain values are JSON under their key; secrets live under their own key
 * with `sealed = true`, sealed by the app's sealer, and are write-only (reading tells whether one
 * is set, never what it is). Writers of the M-Pesa and SMS settings bump `settings_version` on
 * the same transaction (bumpSettingsVersion), which is how every node learns its copy is stale.
 */
import { sql } from 'drizzle-orm';
import { type Conn, query } from '../db/open.ts';
import type { Sealer } from '../lib/seal.ts';

const parse = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v);

/**
 * Read as JSON text and parsed here: drivers differ in whether they decode jsonb (node-postgres
 * does, PGlite may not), and a decoded plain string (`wavu-expired`) is not JSON to parse again.
 */
export async function getSetting<T>(conn: Conn, key: string): Promise<T | null> {
  const rows = await query<{ value: string }>(
    conn,
    sql`SELECT value::text AS value FROM settings WHERE key = ${key} AND NOT sealed`,
  );
  const v = rows[0]?.value;
  return v === undefined || v === null ? null : (JSON.parse(v) as T);
}

/** A sealed setting in clear, for the feature that uses it (never for the admin API). */
export async function getSecret(conn: Conn, sealer: Sealer, key: string): Promise<string | null> {
  const rows = await query<{ value: unknown }>(
    conn,
    sql`SELECT value FROM settings WHERE key = ${key} AND sealed`,
  );
  const v = rows[0]?.value;
  if (v === undefined) return null;
  return sealer.unseal(typeof v === 'string' && v.startsWith('"') ? JSON.parse(v) : String(v));
}

export async function putSetting(conn: Conn, now: Date, key: string, value: unknown, sealed = false) {
  await query(
    conn,
    sql`INSERT INTO settings (key, value, sealed, updated_at) VALUES (${key}, ${JSON.stringify(value)}::jsonb, ${sealed}, ${now})
        ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, sealed = EXCLUDED.sealed, updated_at = EXCLUDED.updated_at`,
  );
}

/** A new value seals and stores it, null deletes it, undefined keeps it; says which for the audit. */
/**
 * The stored JSON of a sealed setting, as written: for a value that seals only its secret part
 * (the Daraja token keeps its expiry in clear beside the sealed token).
 */
export async function getSealedValue<T>(conn: Conn, key: string): Promise<T | null> {
  const rows = await query<{ value: unknown }>(
    conn,
    sql`SELECT value FROM settings WHERE key = ${key} AND sealed`,
  );
  const v = rows[0]?.value;
  return v === undefined ? null : (parse(v) as T);
}

/** Remove a setting, so its reader falls back to the default. */
export async function deleteSetting(conn: Conn, key: string): Promise<void> {
  await query(conn, sql`DELETE FROM settings WHERE key = ${key}`);
}

export async function putSecret(
  conn: Conn,
  sealer: Sealer,
  now: Date,
  key: string,
  v: string | null | undefined,
): Promise<'changed' | 'cleared' | null> {
  if (v === undefined) return null;
  if (v === null) {
    await query(conn, sql`DELETE FROM settings WHERE key = ${key}`);
    return 'cleared';
  }
  await putSetting(conn, now, key, sealer.seal(v), true);
  return 'changed';
}

export async function isSet(conn: Conn, key: string): Promise<boolean> {
  const rows = await query<{ n: number }>(
    conn,
    sql`SELECT count(*)::int AS n FROM settings WHERE key = ${key}`,
  );
  return Number(rows[0]!.n) > 0;
}

/** Call on the transaction that changed M-Pesa or SMS settings. */
export async function bumpSettingsVersion(conn: Conn): Promise<void> {
  await query(conn, sql`UPDATE settings_version SET version = version + 1 WHERE id = 1`);
}

export async function settingsVersion(conn: Conn): Promise<number> {
  const rows = await query<{ version: string | number }>(
    conn,
    sql`SELECT version FROM settings_version WHERE id = 1`,
  );
  return Number(rows[0]?.version ?? 0);
}

/** Every M-Pesa and SMS row at once (one read when the version moved). */
export async function readGroup(
  conn: Conn,
  sealer: Sealer,
  prefix: 'mpesa' | 'sms',
): Promise<{ plain: Record<string, unknown>; secrets: Record<string, string>; broken: string[] }> {
  const rows = await query<{ key: string; value: unknown; sealed: boolean }>(
    conn,
    sql`SELECT key, value, sealed FROM settings WHERE key = ${prefix} OR key LIKE ${`${prefix}.%`}`,
  );
  let plain: Record<string, unknown> = {};
  const secrets: Record<string, string> = {};
  const broken: string[] = [];
  for (const r of rows) {
    if (r.key === prefix && !r.sealed) plain = (parse(r.value) as Record<string, unknown>) ?? {};
    else if (r.sealed) {
      const v = r.value;
      try {
        secrets[r.key.slice(prefix.length + 1)] = sealer.unseal(
          typeof v === 'string' && v.startsWith('"') ? JSON.parse(v) : String(v),
        );
      } catch {
        // Sealed under another SECRET_KEY: treated as unset, and said so in the settings view.
        broken.push(r.key);
      }
    }
  }
  return { plain, secrets, broken };
}

/**
 * Store `value` at `key` unless the stored value's `field` already equals `value[field]`, on the
 * caller's transaction. True when it wrote: two nodes racing to record the same day both reach
 * this row, and only the first gets true (the row lock orders them).
 */
export async function claimSetting(
  conn: Conn,
  now: Date,
  key: string,
  value: Record<string, unknown>,
  field: string,
): Promise<boolean> {
  const rows = await query(
    conn,
    sql`INSERT INTO settings (key, value, sealed, updated_at)
        VALUES (${key}, ${JSON.stringify(value)}::jsonb, false, ${now})
        ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = EXCLUDED.updated_at
        WHERE settings.value->>${field} IS DISTINCT FROM ${String(value[field])}
        RETURNING key`,
  );
  return rows.length > 0;
}
