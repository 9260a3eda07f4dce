import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../src/app/run.ts';
import type { Module } from '../../src/app/module.ts';
import { loadModules } from '../../src/app/modules.ts';
import { AppError } from '../../src/lib/errors.ts';
import { z } from 'zod';
import * as schema from '../../src/db/schema.ts';
import { getTableConfig } from 'drizzle-orm/pg-core';
import { query } from '../../src/db/open.ts';
import { silentLog, testConfig } from '../helpers/app.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';

const probe: Module = {
  name: 'probe',
  routes(app) {
    app.get('/probe/app-error', async () => {
      throw new AppError('payment_in_progress', 'A payment is already waiting on this phone.');
    });
    app.get('/probe/zod', async (req) =>
      z.object({ phone: z.string().min(10, 'Enter your phone number') }).parse(req.query),
    );
    app.get('/probe/crash', async () => {
      throw new Error('secret internal detail');
    });
  },
};

let t: TestDatabase;
let app: App;
beforeAll(async () => {
  t = await createTestDatabase({ migrate: false });
  app = await createApp({
    config: testConfig(),
    roles: ['serve'],
    log: silentLog(),
    database: t.database,
    modules: [...(await loadModules()), probe],
    listen: false,
  });
});
afterAll(async () => {
  await app.stop();
  await t.drop();
});

describe('HTTP server', () => {
  it('answers health and readiness once migrated', async () => {
    expect((await app.server!.inject('/healthz')).json()).toEqual({ status: 'ok' });
    const r = await app.server!.inject('/readyz');
    expect(r.statusCode).toBe(200);
    expect(r.json().status).toBe('ready');
  });

  it('is not ready while a migration is missing', async () => {
    await t.database.db.execute(sql`DELETE FROM schema_migrations WHERE name = '0002_seed_plans.sql'`);
    const r = await app.server!.inject('/readyz');
    expect(r.statusCode).toBe(503);
    expect(r.json().pending).toEqual(['0002_seed_plans.sql']);
    await t.database.db.execute(sql`INSERT INTO schema_migrations (name) VALUES ('0002_seed_plans.sql')`);
  });

  it('maps errors to one JSON shape', async () => {
    const a = await app.server!.inject('/probe/app-error');
    expect(a.statusCode).toBe(409);
    expect(a.json()).toEqual({
      error: { code: 'payment_in_progress', message: 'A payment is already waiting on this phone.' },
    });
    const z1 = await app.server!.inject('/probe/zod?phone=07');
    expect(z1.statusCode).toBe(400);
    expect(z1.json().error).toEqual({ code: 'validation', message: 'phone: Enter your phone number' });
    const c = await app.server!.inject('/probe/crash');
    expect(c.statusCode).toBe(500);
    expect(c.body).not.toContain('secret internal detail');
    const n = await app.server!.inject('/nothing-here');
    expect(n.statusCode).toBe(404);
    expect(n.json().error.code).toBe('not_found');
  });

  it('seeds the default plans once', async () => {
    const plans = await query<{ name: string; price_kes: number; duration_seconds: number }>(
      t.database.db,
      sql`SELECT name, price_kes, duration_seconds FROM plans ORDER BY sort_order`,
    );
    expect(plans.map((p) => [p.price_kes, p.duration_seconds / 3600])).toEqual([
      [20, 1],
      [50, 3],
      [100, 6],
      [300, 24],
    ]);
  });

  it('every column in the Drizzle schema exists in the migrated database', async () => {
    const cols = await query<{ table_name: string; column_name: string }>(
      t.database.db,
      sql`SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema()`,
    );
    const have = new Set(cols.map((c) => `${c.table_name}.${c.column_name}`));
    const missing: string[] = [];
    for (const table of Object.values(schema)) {
      if (typeof table !== 'object' || !table || !('getSQL' in table)) continue;
      const cfg = getTableConfig(table as never);
      for (const col of cfg.columns)
        if (!have.has(`${cfg.name}.${col.name}`)) missing.push(`${cfg.name}.${col.name}`);
    }
    expect(missing).toEqual([]);
  });

  it('the migrated schema holds no simulator tables: the simulators create their own in demo', async () => {
    const tables = await query<{ table_name: string }>(
      t.database.db,
      sql`SELECT table_name FROM information_schema.tables
          WHERE table_schema = current_schema() AND table_name LIKE 'sim\_%'`,
    );
    expect(tables).toEqual([]);
  });

  it('database constraints refuse money that is not whole shillings and unknown states', async () => {
    await expect(
      t.database.db.execute(
        sql`INSERT INTO plans (name, price_kes, duration_seconds) VALUES ('x', '10.5', 60)`,
      ),
    ).rejects.toThrow();
    await expect(
      t.database.db.execute(sql`INSERT INTO plans (name, price_kes, duration_seconds) VALUES ('y', 0, 60)`),
    ).rejects.toThrow();
  });
});
