/**
 * Forward-only SQL migrations from ./migrations, applied in name order, each once. Several nodes
 * starting together serialise on an advisory lock, so a migration never runs twice.
 *
 * A SQL function that keeps changing (access_authorize) lives in one file under ./functions, and a
 * migration loads it with a line `\ir ../functions/NAME.sql` (psql's "include relative", so the
 * file also runs as is in psql). The file is read when the migration is applied: a change to the
 * function edits that file and adds a migration of that one line, instead of restating the body.
 * Nothing is checksummed, so an applied migration is never re-run because its file changed.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { type Database, query } from './open.ts';

const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));
const DB_DIR = fileURLToPath(new URL('./', import.meta.url));
const LOCK_KEY = 0x77617675; // "wavu"
const INCLUDE = /^\\ir\s+(\S+)\s*$/gm;

/** A migration's SQL with each `\ir FILE` line replaced by that file (relative to the migration). */
export function migrationSql(file: string): string {
  const path = MIGRATIONS_DIR + file;
  return readFileSync(path, 'utf8').replace(INCLUDE, (_line, target: string) => {
    const included = resolve(dirname(path), target);
    // Only files of src/db (the functions folder): a migration never reaches outside it.
    if (relative(DB_DIR, included).startsWith('..'))
      throw new Error(`${file}: \\ir outside src/db: ${target}`);
    return readFileSync(included, 'utf8');
  });
}

export function migrationFiles(): string[] {
  return readdirSync(MIGRATIONS_DIR)
    .filter((f) => f.endsWith('.sql'))
    .sort();
}

export async function migrate(database: Database): Promise<string[]> {
  const applied: string[] = [];
  await database.script(LOCK_KEY, async (exec, query) => {
    await exec(
      'CREATE TABLE IF NOT EXISTS schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    const done = new Set(
      (await query<{ name: string }>('SELECT name FROM schema_migrations')).map((r) => r.name),
    );
    for (const file of migrationFiles()) {
      if (done.has(file)) continue;
      await exec(migrationSql(file));
      await query('INSERT INTO schema_migrations (name) VALUES ($1)', [file]);
      applied.push(file);
    }
  });
  return applied;
}

/** Names of migrations in the repo that the database has not applied (readiness check). */
export async function pendingMigrations(database: Database): Promise<string[]> {
  // to_regclass avoids an error before the very first migration has created the table.
  const exists = await query<{ t: string | null }>(
    database.db,
    sql.raw("SELECT to_regclass('schema_migrations') AS t"),
  );
  if (!exists[0]?.t) return migrationFiles();
  const rows = await query<{ name: string }>(database.db, sql.raw('SELECT name FROM schema_migrations'));
  const done = new Set(rows.map((r) => r.name));
  return migrationFiles().filter((f) => !done.has(f));
}
