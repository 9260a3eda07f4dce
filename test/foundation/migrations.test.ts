/**
 * The migration runner's one extension: a migration may load a function from its own file with a
 * line `\ir ../functions/NAME.sql`, so a function that keeps changing (access_authorize) has one
 * source and each change is a one-line migration. Run on a real database: the function that ends
 * up installed is the one the file says.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrationFiles, migrationSql } from '../../src/db/migrate.ts';
import { query } from '../../src/db/open.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';

const DIR = fileURLToPath(new URL('../../src/db/migrations/', import.meta.url));
const FUNCTIONS = fileURLToPath(new URL('../../src/db/functions/', import.meta.url));
const INCLUDE = /^\\ir\s+(\S+)\s*$/m;

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t.drop();
});

describe('migrations that load a function file', () => {
  it('replace each \\ir line with the file it names', () => {
    const loaders = migrationFiles().filter((f) => INCLUDE.test(readFileSync(DIR + f, 'utf8')));
    expect(loaders).toContain('2440_access_authorize_from_file.sql');
    expect(loaders).toContain('2600_radius_accounting_fn.sql');
    for (const f of loaders) {
      const named = [...readFileSync(DIR + f, 'utf8').matchAll(new RegExp(INCLUDE, 'gm'))].map((m) => m[1]!);
      const text = migrationSql(f);
      expect(text).not.toMatch(INCLUDE);
      for (const target of named)
        expect(text).toContain(readFileSync(`${FUNCTIONS}${target.replace('../functions/', '')}`, 'utf8'));
    }
  });

  it('install the function as its file says, once, whatever signatures came before', async () => {
    const file = readFileSync(`${FUNCTIONS}access_authorize.sql`, 'utf8');
    const body = file.slice(file.indexOf('$$', file.indexOf('CREATE FUNCTION access_authorize')) + 2);
    const rows = await query<{ def: string }>(
      t.database.db,
      sql`SELECT pg_get_functiondef(p.oid) AS def FROM pg_proc p WHERE p.proname = 'access_authorize'`,
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]!.def).toContain(body.slice(0, body.indexOf('END $$')).trim());
  });

  it('keep the rule: no migration restates access_authorize, its file is its one source', () => {
    for (const f of migrationFiles())
      expect(readFileSync(DIR + f, 'utf8'), f).not.toMatch(/CREATE (OR REPLACE )?FUNCTION access_authorize/i);
    // Every function file is loaded by some migration: an edit to one that nothing loads would
    // never reach a database.
    const loaded = migrationFiles().map((f) => readFileSync(DIR + f, 'utf8'));
    for (const fn of readdirSync(FUNCTIONS))
      expect(
        loaded.some((m) => m.includes(`\\ir ../functions/${fn}`)),
        fn,
      ).toBe(true);
  });
});
