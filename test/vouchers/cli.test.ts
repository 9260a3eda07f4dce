import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, onPostgres, type TestDatabase } from '../helpers/db.ts';

let t: TestDatabase | null = null;
const dir = mkdtempSync(join(tmpdir(), 'wavu-vcli-'));
let env: Record<string, string>;

beforeAll(async () => {
  // On the PostgreSQL run the CLI talks to a throwaway database; otherwise to PGlite in a temp dir.
  if (onPostgres()) t = await createTestDatabase();
  env = {
    PATH: process.env.PATH ?? '',
    WAVU_DATA_DIR: join(dir, 'data'),
    PUBLIC_URL: 'https://wifi.example.co.ke',
    LOG_LEVEL: 'silent',
    ...(t?.url ? { DATABASE_URL: t.url } : {}),
  };
});
afterAll(async () => {
  await t?.drop();
});

const wavu = (args: string[]) =>
  spawnSync(process.execPath, ['bin/wavu.js', 'vouchers', ...args], {
    encoding: 'utf8',
    env,
    timeout: 60_000,
  });

describe('wavu vouchers', () => {
  // Few invocations on purpose: each one opens (and on PGlite, starts) the database.
  it('creates a batch as CSV, refuses a bad call, and imports a MikroTik file with a report', () => {
    const csv = join(dir, 'batch.csv');
    const made = wavu(['create', '--plan', '1 hour', '--count', '7', '--label', 'Desk', '--out', csv]);
    expect(made.stderr).toBe('');
    expect(made.status).toBe(0);
    expect(made.stdout).toMatch(/Made 7 "1 Hour" vouchers, batch [0-9a-f-]{36}, written to/);
    const rows = readFileSync(csv, 'utf8').trim().split('\r\n');
    expect(rows).toHaveLength(8);
    expect(rows[1]).toMatch(/^[A-Z0-9]{10},1 Hour,20,1 hour,,issued,/);

    const noPlan = wavu(['create', '--plan', 'forever', '--count', '1', '--out', csv]);
    expect(noPlan.status).toBe(1);
    expect(noPlan.stderr).toContain('There is no plan called "forever"');
    expect(wavu(['create', '--plan', '1 hour', '--count', '1', '--out', join(dir, 'x.doc')]).status).toBe(2);

    const rsc = join(dir, 'users.rsc');
    const first = rows[1]!.split(',')[0];
    writeFileSync(
      rsc,
      `/ip hotspot user\nadd name=ROUTER0001 password=ROUTER0001 profile=1h\nadd name=ROUTER0001 password=ROUTER0001\nadd name=${first} password=${first}\n`,
    );
    const imp = wavu(['import', rsc, '--plan', '1 Hour']);
    expect(imp.status).toBe(1); // some lines were not imported
    expect(imp.stdout).toContain('line 3: ROUTER0001: duplicate of line 2 in this file');
    expect(imp.stdout).toContain(`line 4: ${first}: this code already exists in Wavu`);
    expect(imp.stdout).toContain('Imported 1 "1 Hour" voucher(s)');
  }, 180_000);
});
