/**
 * Forward-only SQL migrations from ./migrations, applied in name order, each once. Several nodes
 * starting together serialise on an advisory lock, so a migration never runs twice.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { type Database, query } from './open.ts';

const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));
const LOCK_KEY = 0x77617675; // "wavu"

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
      await exec(readFileSync(MIGRATIONS_DIR + file, 'utf8'));
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
