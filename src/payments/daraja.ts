/**
 * The app's Daraja client, built from config. Its token lives in the settings table (sealed), so
 * every node and worker shares the app's one token instead of revoking each other's.
 */
import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Config } from '../config.ts';
import { type Database, query } from '../db/open.ts';
import type { Clock } from '../lib/clock.ts';
import type { Sealer } from '../lib/seal.ts';
import {
  type CachedToken,
  createDarajaClient,
  type DarajaClient,
  type TokenStore,
} from '../protocols/daraja/index.ts';

export function dbTokenStore(database: Database, sealer: Sealer, key: string, cacheMs = 30_000): TokenStore {
  const db = database.db;
  // A short in-process cache spares a database read per Daraja call; a token revoked by another
  // node meanwhile is caught by the client's one retry on `Invalid Access Token`.
  let cached: { t: CachedToken; at: number } | null = null;
  return {
    async get(o) {
      if (!o?.fresh && cached && Date.now() - cached.at < cacheMs && cached.t.expiresAt > Date.now())
        return cached.t;
      const t = await read();
      cached = t ? { t, at: Date.now() } : null;
      return t;
    },
    async set(t) {
      cached = { t, at: Date.now() };
      const value = JSON.stringify({ sealed: sealer.seal(t.token), expiresAt: t.expiresAt });
      await db.execute(
        sql`INSERT INTO settings (key, value, sealed, updated_at) VALUES (${key}, ${value}::jsonb, true, now())
            ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`,
      );
    },
    // PGlite is one process, where the client's single-flight already makes refreshes one at a
    // time (and a transaction there would hold its only connection from the reads inside `run`).
    exclusive:
      database.kind === 'postgres'
        ? (run) =>
            db.transaction(async (tx) => {
              await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext(${key}))`);
              return run();
            })
        : undefined,
  };

  async function read(): Promise<CachedToken | null> {
    const rows = await query<{ value: { sealed?: string; expiresAt?: number } }>(
      db,
      sql`SELECT value FROM settings WHERE key = ${key}`,
    );
    const v = rows[0]?.value;
    if (!v?.sealed || typeof v.expiresAt !== 'number') return null;
    try {
      return { token: sealer.unseal(v.sealed), expiresAt: v.expiresAt };
    } catch {
      return null; // sealed under another SECRET_KEY: fetch a new one
    }
  }
}

export function createAppDaraja(o: {
  config: Config;
  database: Database;
  sealer: Sealer;
  clock: Clock;
}): DarajaClient {
  const m = o.config.mpesa;
  const id = createHash('sha256').update(`${m.baseUrl}|${m.consumerKey}`).digest('hex').slice(0, 16);
  return createDarajaClient({
    baseUrl: () => o.config.mpesa.baseUrl,
    consumerKey: m.consumerKey,
    consumerSecret: m.consumerSecret,
    shortcode: m.shortcode,
    passkey: m.passkey,
    type: m.type,
    till: m.till,
    timeoutMs: 15_000,
    now: () => o.clock.now(),
    tokenStore: dbTokenStore(o.database, o.sealer, `daraja.token.${id}`),
  });
}

/** Where Daraja calls us back. The secret path segment is the only thing proving a caller knows it. */
export function callbackUrls(config: Config) {
  const base = `${config.publicUrl}/callbacks`;
  const s = config.mpesa.callbackSecret;
  return {
    stk: `${base}/stk/${s}`,
    c2bConfirm: `${base}/c2b/confirm/${s}`,
    c2bValidate: `${base}/c2b/validate/${s}`,
  };
}
