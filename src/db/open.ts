/**
 * open(): embedded PGlite (persisted in WAVU_DATA_DIR) when DATABASE_URL is unset, node-postgres
 * otherwise. Both give the same Drizzle API, so every query runs unchanged on either.
 *
 * `db.transaction()` runs its body again when PostgreSQL gives up on the transaction because of
 * a deadlock or a serialization failure (see retryTransaction), so every use case gets it.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core';
import { type ExtractTablesWithRelations, type SQL, sql } from 'drizzle-orm';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import { ConfigError } from '../config.ts';
import { withoutQueryValues } from '../lib/db-error.ts';
import { scrubQueryErrors } from './errors.ts';
import * as schema from './schema.ts';

export type Schema = typeof schema;
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
export type Tx = PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;
/** Anything queries can run on: the database or an open transaction. */
export type Conn = Db | Tx;

export interface Database {
  kind: 'pglite' | 'postgres';
  db: Db;
  /** Run a multi-statement SQL script inside one transaction holding `lockKey` (used by migrations). */
  script(
    lockKey: number,
    run: (exec: (text: string) => Promise<void>, query: RawQuery) => Promise<void>,
  ): Promise<void>;
  /** Subscribe to NOTIFY on a channel (delivered after the notifying transaction commits). */
  listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>>;
  /** What this process has sent through `db` since it opened: read by the benches and by tests. */
  stats: StatementStats;
  close(): Promise<void>;
}

/**
 * Statements (BEGIN/COMMIT/ROLLBACK excluded) and transactions sent through `db`, counted as they
 * go to the driver. Round trips on PostgreSQL are statements + 2 × transactions. Counts are
 * stable where times are not, so tests assert them to catch a new round trip on a hot path.
 */
export interface StatementStats {
  statements: number;
  transactions: number;
}

const TX_CONTROL = /^\s*(begin|commit|rollback|savepoint|release)\b/i;

function countingLogger(stats: StatementStats) {
  return {
    logQuery(text: string) {
      if (!TX_CONTROL.test(text)) stats.statements++;
    },
  };
}

export type RawQuery = <T = Record<string, unknown>>(text: string, params?: unknown[]) => Promise<T[]>;

// pg returns int8/numeric as strings by default; our bigints (bytes, seconds, ids) fit in 2^53.
pg.types.setTypeParser(20, (v) => Number(v));

export interface OpenOptions {
  databaseUrl?: string | undefined;
  /** PGlite folder; `memory://` (or undefined with no URL) for an in-memory database. */
  dataDir?: string | undefined;
  poolSize?: number;
}

export async function openDatabase(opts: OpenOptions): Promise<Database> {
  // Failed queries must not carry their parameters into logs or job errors (see errors.ts).
  scrubQueryErrors();
  if (opts.databaseUrl) {
    const pool = new pg.Pool({ connectionString: opts.databaseUrl, max: opts.poolSize ?? 10 });
    // An idle client losing its connection must not crash the process; the pool replaces it.
    pool.on('error', () => {});
    const stats: StatementStats = { statements: 0, transactions: 0 };
    return {
      kind: 'postgres',
      stats,
      db: withTransactionRetry(
        drizzlePg(pool, { schema, logger: countingLogger(stats) }) as unknown as Db,
        stats,
      ),
      async script(lockKey, run) {
        const client = await pool.connect();
        try {
          await client.query('BEGIN');
          await client.query('SELECT pg_advisory_xact_lock($1)', [lockKey]);
          await run(
            async (text) => {
              await client.query(text);
            },
            async (text, params) => (await client.query(text, params as unknown[])).rows,
          );
          await client.query('COMMIT');
        } catch (e) {
          await client.query('ROLLBACK').catch(() => {});
          throw withoutQueryValues(e);
        } finally {
          client.release();
        }
      },
      async listen(channel, onNotify) {
        // A dedicated connection: LISTEN is per session and pooled clients are shared.
        const client = new pg.Client({ connectionString: opts.databaseUrl });
        client.on('error', () => {});
        await client.connect();
        client.on('notification', (n) => {
          if (n.channel === channel) onNotify(n.payload ?? '');
        });
        await client.query(`LISTEN ${quoteIdent(channel)}`);
        return async () => {
          await client.end().catch(() => {});
        };
      },
      close: () => pool.end(),
    };
  }
  const dir = opts.dataDir && opts.dataDir !== 'memory://' ? resolve(opts.dataDir, 'pg') : undefined;
  if (dir) mkdirSync(dir, { recursive: true });
  const release = dir ? holdDataDir(dir) : () => {};
  if (dir && !existsSync(join(dir, 'PG_VERSION'))) await initDataDirApart(dir);
  // Imported when it is the engine opened: a PostgreSQL process never loads PGlite.
  const [{ PGlite }, { drizzle: drizzlePglite }] = await Promise.all([
    import('@electric-sql/pglite'),
    import('drizzle-orm/pglite'),
  ]);
  const client = new PGlite(dir, { postgresqlconf: PGLITE_CONF });
  await client.waitReady;
  const stats: StatementStats = { statements: 0, transactions: 0 };
  return {
    kind: 'pglite',
    stats,
    // One connection never deadlocks with itself; wrapped anyway so both engines behave alike.
    db: withTransactionRetry(
      drizzlePglite(client, { schema, logger: countingLogger(stats) }) as unknown as Db,
      stats,
    ),
    async script(_lockKey, run) {
      // PGlite is one connection in one process: its transaction already excludes everyone else.
      await client
        .transaction(async (tx) => {
          await run(
            async (text) => {
              await tx.exec(text);
            },
            async (text, params) => (await tx.query(text, params)).rows as never[],
          );
        })
        .catch((e) => {
          throw withoutQueryValues(e);
        });
    },
    async listen(channel, onNotify) {
      const unlisten = await client.listen(channel, onNotify);
      return async () => {
        await unlisten().catch(() => {});
      };
    },
    close: async () => {
      await client.close();
      release();
    },
  };
}

/**
 * PGlite's postgresql.conf (it rewrites the file on every open). PostgreSQL's default 128 MB of
 * shared buffers is sized for a server; the embedded database is a demo or a small site, and in
 * WebAssembly every buffer it fills stays resident. 16 MB holds the hot tables and saves about
 * 115 MiB of the process's memory.
 */
const PGLITE_CONF = ['shared_buffers=16MB'];

/**
 * Create a new data folder in a child process that then exits. PGlite's first initialisation
 * (initdb in WebAssembly) grows the heap to about 850 MiB, and WebAssembly memory is never given
 * back, so doing it in the serving process kept the demo near 500 MiB for as long as it ran;
 * opened afterwards, the folder costs what a second start does.
 */
async function initDataDirApart(dir: string): Promise<void> {
  const code = `const { PGlite } = await import(process.env.WAVU_PGLITE_MODULE);
const c = new PGlite(process.env.WAVU_PGLITE_DIR, { postgresqlconf: JSON.parse(process.env.WAVU_PGLITE_CONF) });
await c.waitReady;
await c.close();`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', code], {
    env: {
      ...process.env,
      WAVU_PGLITE_MODULE: import.meta.resolve('@electric-sql/pglite'),
      WAVU_PGLITE_DIR: dir,
      WAVU_PGLITE_CONF: JSON.stringify(PGLITE_CONF),
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (b: Buffer) => {
    stderr += b.toString();
  });
  const status = await new Promise<number | null>((done, fail) => {
    child.on('error', fail);
    child.on('exit', (code) => done(code));
  });
  if (status !== 0 || !existsSync(join(dir, 'PG_VERSION')))
    throw new Error(`could not create the embedded database in ${dir}: ${stderr.trim() || `exit ${status}`}`);
}

/**
 * The embedded database belongs to one process: a second PGlite on the same folder does not see
 * the first one's writes, and what it writes is lost when the first one saves (a `wavu routers
 * add` beside a running demo vanished that way). So a folder is held with a lock file naming the
 * process; another live process is refused with what to do instead, and a lock left by a process
 * that died (kill -9) is taken over.
 */
function holdDataDir(dir: string): () => void {
  const file = join(dir, '..', 'wavu.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, String(process.pid), { flag: 'wx' });
      return () => rmSync(file, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const pid = Number(readFileSync(file, 'utf8').trim());
      if (pid && pid !== process.pid && alive(pid)) {
        throw new ConfigError([
          `the embedded database in ${resolve(dir, '..')} is in use by another Wavu process (pid ${pid}). Only one process can use it at a time: stop that one first (the dashboard does the same things while it runs), or use PostgreSQL (DATABASE_URL) to run several.`,
        ]);
      }
      rmSync(file, { force: true });
    }
  }
  throw new ConfigError([`could not take the lock on ${file}`]);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** SQLSTATEs after which PostgreSQL has rolled the whole transaction back and it may simply run again. */
const RETRYABLE = new Set(['40001', '40P01']); // serialization_failure, deadlock_detected

export const isRetryableTxError = (e: unknown): boolean => RETRYABLE.has(pgErrorCode(e) ?? '');

export interface RetryOptions {
  /** Runs in all, the first included. */
  attempts?: number;
  /** The jitter range before the first retry; it doubles on each later one. */
  baseDelayMs?: number;
}

/**
 * Run `attempt` (one whole transaction) again when it failed with a deadlock or serialization
 * failure, up to `attempts` runs, sleeping a random 0…base·2ⁿ ms in between so the two sides of a
 * deadlock do not meet again at once. Anything else, or the last failure, is thrown unchanged.
 * The body must not do anything outside the database that cannot be repeated (it is rolled back
 * each time, but a router call or an outer variable it changed is not).
 */
export async function retryTransaction<T>(attempt: () => Promise<T>, o: RetryOptions = {}): Promise<T> {
  const attempts = o.attempts ?? 5;
  const base = o.baseDelayMs ?? 10;
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (e) {
      if (n >= attempts || !isRetryableTxError(e)) throw e;
      await new Promise((r) => setTimeout(r, Math.random() * base * 2 ** (n - 1)));
    }
  }
}

/** Gives `db.transaction()` the retry above; nested transactions (savepoints) are left alone. */
function withTransactionRetry(db: Db, stats: StatementStats): Db {
  const once = db.transaction.bind(db);
  db.transaction = ((body, config) =>
    retryTransaction(() => {
      stats.transactions++;
      return once(body, config);
    })) as Db['transaction'];
  return db;
}

function quoteIdent(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`bad channel name ${name}`);
  return name;
}

/**
 * Uuids as a subquery for `IN (…)`, bound as one JSON parameter: a batch of 500 codes is one
 * parameter, not 500, and the statement's text is the same whatever the count.
 */
export function uuidList(ids: string[]): SQL {
  return sql`SELECT value::uuid FROM jsonb_array_elements_text(${JSON.stringify(ids)}::jsonb)`;
}

/** Rows of a raw SQL statement on either driver (Drizzle's execute results differ in shape). */
export async function query<T = Record<string, unknown>>(conn: Conn, statement: SQL): Promise<T[]> {
  const res = (await conn.execute(statement)) as unknown as { rows: T[] };
  return res.rows;
}

/** The PostgreSQL error code (e.g. 23505 unique_violation) of a driver or Drizzle error. */
export function pgErrorCode(e: unknown): string | undefined {
  let cur: unknown = e;
  for (let i = 0; i < 4 && cur && typeof cur === 'object'; i++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
}

export const isUniqueViolation = (e: unknown, constraint?: string): boolean => {
  if (pgErrorCode(e) !== '23505') return false;
  if (!constraint) return true;
  let cur: unknown = e;
  for (let i = 0; i < 4 && cur && typeof cur === 'object'; i++) {
    const c = (cur as { constraint?: unknown }).constraint;
    if (typeof c === 'string') return c === constraint;
    cur = (cur as { cause?: unknown }).cause;
  }
  return String(e).includes(constraint);
};

/**
 * Raw `query()` rows carry timestamps as the driver's text (Drizzle switches the drivers' date
 * parsing off so its typed queries can do their own); this turns one back into a Date.
 */
export function asDate(v: unknown): Date {
  if (v instanceof Date) return v;
  const s = String(v);
  // PostgreSQL text form "2026-01-01 09:00:20.5+00" → ISO so every engine parses it the same.
  const iso = s.replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00');
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) throw new Error(`not a timestamp: ${s}`);
  return d;
}
