/**
 * The app's Daraja client, built from config. Its token lives in the settings table (sealed), so
 * every node and worker shares the app's one token instead of revoking each other's.
 */
import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Config } from '../config.ts';
import type { Database } from '../db/open.ts';
import type { Clock } from '../lib/clock.ts';
import type { Sealer } from '../lib/seal.ts';
import { type EffectiveMpesa, getSealedValue, putSetting } from '../settings/index.ts';
import type { LiveAccounts } from './accounts/live.ts';
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
      // Real time, as the token's own expiry is: the injectable clock is for business deadlines.
      await putSetting(db, new Date(), key, { sealed: sealer.seal(t.token), expiresAt: t.expiresAt }, true);
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
    const v = await getSealedValue<{ sealed?: string; expiresAt?: number }>(db, key);
    if (!v?.sealed || typeof v.expiresAt !== 'number') return null;
    try {
      return { token: sealer.unseal(v.sealed), expiresAt: v.expiresAt };
    } catch {
      return null; // sealed under another SECRET_KEY: fetch a new one
    }
  }
}

/** Daraja's two hosts; MPESA_BASE_URL (or demo's simulator) overrides both. */
export const DARAJA_HOSTS = {
  sandbox: 'https://sandbox.safaricom.co.ke',
  production: 'https://api.safaricom.co.ke',
} as const;

export function darajaBaseUrl(config: Config, environment: 'sandbox' | 'production'): string {
  return config.mpesa.baseUrlFixed ? config.mpesa.baseUrl : DARAJA_HOSTS[environment];
}

/** The credentials a push needs; the dashboard's checklist names the first one missing. */
export function mpesaMissing(m: EffectiveMpesa): string | null {
  if (!m.shortcode) return 'shortcode';
  if (!m.consumerKey) return 'consumerKey';
  if (!m.consumerSecret) return 'consumerSecret';
  if (!m.passkey) return 'passkey';
  if (m.type === 'till' && !m.till) return 'till';
  return null;
}

const notConfigured = (field: string) => ({
  ok: false as const,
  error: {
    kind: 'bad_request' as const,
    errorCode: 'not_configured',
    message: `M-Pesa is not set up: ${field} is missing (Settings → M-Pesa)`,
    field,
  },
});

/**
 * One payment account's Daraja client. Every call takes that account's settings in force at that
 * moment (for the default account: environment, then dashboard, then default), so a save in the
 * dashboard is used by the next push on every node. The wire client for one set of credentials is
 * kept until they change; tokens are per consumer key and base URL, shared by all nodes in the
 * database (two accounts of one Daraja app share its token).
 */
export function createAppDaraja(o: {
  config: Config;
  database: Database;
  sealer: Sealer;
  clock: Clock;
  mpesa: () => Promise<EffectiveMpesa>;
}): DarajaClient {
  let current: { fingerprint: string; client: DarajaClient } | null = null;

  async function client(): Promise<DarajaClient | ReturnType<typeof notConfigured>> {
    const m = await o.mpesa();
    const missing = mpesaMissing(m);
    if (missing) return notConfigured(missing);
    const base = darajaBaseUrl(o.config, m.environment);
    const fingerprint = createHash('sha256')
      .update(JSON.stringify([base, m.shortcode, m.type, m.till, m.consumerKey, m.consumerSecret, m.passkey]))
      .digest('hex');
    if (current?.fingerprint === fingerprint) return current.client;
    // A token belongs to a key and its secret: a new secret (a fix, or a typo) gets its own.
    const id = createHash('sha256')
      .update(`${base}|${m.consumerKey}|${m.consumerSecret}`)
      .digest('hex')
      .slice(0, 16);
    const c = createDarajaClient({
      baseUrl: base,
      consumerKey: m.consumerKey,
      consumerSecret: m.consumerSecret,
      shortcode: m.shortcode,
      passkey: m.passkey,
      type: m.type,
      till: m.till ?? undefined,
      timeoutMs: 15_000,
      now: () => o.clock.now(),
      tokenStore: dbTokenStore(o.database, o.sealer, `daraja.token.${id}`),
    });
    current = { fingerprint, client: c };
    return c;
  }

  const isClient = (c: DarajaClient | ReturnType<typeof notConfigured>): c is DarajaClient => !('ok' in c);

  return {
    async stkPush(input) {
      const c = await client();
      return isClient(c) ? c.stkPush(input) : c;
    },
    async stkQuery(id) {
      const c = await client();
      return isClient(c) ? c.stkQuery(id) : c;
    },
    async registerC2bUrls(input) {
      const c = await client();
      return isClient(c) ? c.registerC2bUrls(input) : c;
    },
    async c2bSimulate(input) {
      const c = await client();
      return isClient(c) ? c.c2bSimulate(input) : c;
    },
    async transactionStatus(input) {
      const c = await client();
      return isClient(c) ? c.transactionStatus(input) : c;
    },
    async pullRegister(input) {
      const c = await client();
      return isClient(c) ? c.pullRegister(input) : c;
    },
    async pullQuery(input) {
      const c = await client();
      return isClient(c) ? c.pullQuery(input) : c;
    },
    async token() {
      const c = await client();
      return isClient(c) ? c.token() : c;
    },
  };
}

/** A Daraja client per payment account (`null` = the default account), each kept once built. */
export function createAccountDarajas(o: {
  config: Config;
  database: Database;
  sealer: Sealer;
  clock: Clock;
  accounts: LiveAccounts;
}): (accountId: number | null) => DarajaClient {
  const clients = new Map<number | null, DarajaClient>();
  return (accountId) => {
    let c = clients.get(accountId);
    if (!c) {
      c = createAppDaraja({ ...o, mpesa: () => o.accounts.get(accountId) });
      clients.set(accountId, c);
    }
    return c;
  };
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
