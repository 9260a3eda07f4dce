/**
 * One audit row per change, written in the change's own transaction, from the admin API and the
 * CLI alike. "Same transaction" is shown both ways: a use case that fails leaves no audit row, and
 * an audit row the database refuses (a trigger made for this test) takes the change down with it.
 */
import { mkdtempSync } from 'node:fs';
import { cliContext } from '../../src/cli/with-deps.ts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openDatabase, query } from '../../src/db/open.ts';
import { routersCommand } from '../../src/gateways/cli.ts';
import { runVouchers } from '../../src/vouchers/cli-run.ts';
import { createTestDatabase, onPostgres, type TestDatabase } from '../helpers/db.ts';
import { type AdminHarness, adminHarness, inject, makeUser, sessionFor } from './helpers.ts';

let h: AdminHarness;
let owner: { cookie: string; csrf: string };

const db = () => h.app.deps.db;
const rows = <T = Record<string, any>>(q: ReturnType<typeof sql>) => query<T>(db(), q);
const auditRows = (action: string) =>
  rows<{ actor: string; actor_id: number | null; entity_id: string; detail: any }>(
    sql`SELECT actor, actor_id, entity_id, detail FROM audit_log WHERE action = ${action} ORDER BY id`,
  );
const count = async (q: ReturnType<typeof sql>) => Number((await rows<{ n: number }>(q))[0]!.n);

/** Make the database refuse audit rows of one action: the change's transaction must fail whole. */
async function refuseAudit(action: string | null) {
  await db().execute(sql`DELETE FROM test_refused_audit`);
  if (action) await db().execute(sql`INSERT INTO test_refused_audit (action) VALUES (${action})`);
}

beforeAll(async () => {
  h = await adminHarness();
  owner = await sessionFor(h, (await makeUser(h, 'boss', 'owner')).id);
  await db().execute(sql`CREATE TABLE test_refused_audit (action text PRIMARY KEY)`);
  await db().execute(
    sql.raw(`CREATE FUNCTION test_refuse_audit() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF EXISTS (SELECT 1 FROM test_refused_audit WHERE action = NEW.action) THEN
          RAISE EXCEPTION 'audit row refused for the test';
        END IF;
        RETURN NEW;
      END $$`),
  );
  await db().execute(
    sql`CREATE TRIGGER test_refuse_audit BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION test_refuse_audit()`,
  );
});
afterAll(() => h.stop());

describe('admin API changes: one audit row each, in the same transaction', () => {
  it('routers: add, update and remove', async () => {
    const add = await inject(h, owner, 'POST', '/api/admin/routers', {
      name: 'audit-r1',
      mode: 'api',
      host: '192.168.88.9',
      password: 'a-router-secret-1',
    });
    expect(add.statusCode).toBe(201);
    const id = String(add.json().router.id);
    const created = await auditRows('router.create');
    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({ actor: 'boss', entity_id: id });
    expect(created[0]!.detail).toMatchObject({ name: 'audit-r1', password: 'changed' });
    expect(JSON.stringify(created)).not.toContain('a-router-secret-1');

    // A refused change writes no audit row.
    const dup = await inject(h, owner, 'POST', '/api/admin/routers', {
      name: 'audit-r1',
      mode: 'api',
      host: '192.168.88.10',
    });
    expect(dup.statusCode).toBe(409);
    expect(await auditRows('router.create')).toHaveLength(1);

    // A refused audit row undoes the change.
    await refuseAudit('router.create');
    const lost = await inject(h, owner, 'POST', '/api/admin/routers', {
      name: 'audit-r2',
      mode: 'radius',
      address: '10.20.0.2',
    });
    expect(lost.statusCode).toBe(500);
    expect(await count(sql`SELECT count(*)::int AS n FROM routers WHERE name = 'audit-r2'`)).toBe(0);

    await refuseAudit('router.update');
    expect(
      (await inject(h, owner, 'PATCH', `/api/admin/routers/${id}`, { site: 'Block B' })).statusCode,
    ).toBe(500);
    expect(await count(sql`SELECT count(*)::int AS n FROM routers WHERE site = 'Block B'`)).toBe(0);
    await refuseAudit(null);
    expect(
      (await inject(h, owner, 'PATCH', `/api/admin/routers/${id}`, { site: 'Block B' })).statusCode,
    ).toBe(200);
    expect(await auditRows('router.update')).toHaveLength(1);

    await refuseAudit('router.delete');
    expect((await inject(h, owner, 'DELETE', `/api/admin/routers/${id}`)).statusCode).toBe(500);
    expect(await count(sql`SELECT count(*)::int AS n FROM routers WHERE id = ${Number(id)}`)).toBe(1);
    await refuseAudit(null);
    expect((await inject(h, owner, 'DELETE', `/api/admin/routers/${id}`)).json()).toMatchObject({
      removed: true,
    });
    expect(await auditRows('router.delete')).toHaveLength(1);
    expect(await count(sql`SELECT count(*)::int AS n FROM routers WHERE id = ${Number(id)}`)).toBe(0);
  });

  it('vouchers: a batch and an import', async () => {
    const batch = await inject(h, owner, 'POST', '/api/admin/vouchers/batches', { planId: 1, count: 3 });
    expect(batch.statusCode).toBe(201);
    const made = await auditRows('voucher.batch_create');
    expect(made).toEqual([expect.objectContaining({ actor: 'boss', entity_id: batch.json().batchId })]);
    expect(
      (await inject(h, owner, 'POST', '/api/admin/vouchers/batches', { planId: 999, count: 3 })).statusCode,
    ).toBe(404);
    await refuseAudit('voucher.batch_create');
    const before = await count(sql`SELECT count(*)::int AS n FROM voucher_batches`);
    expect(
      (await inject(h, owner, 'POST', '/api/admin/vouchers/batches', { planId: 1, count: 3 })).statusCode,
    ).toBe(500);
    expect(await count(sql`SELECT count(*)::int AS n FROM voucher_batches`)).toBe(before);
    await refuseAudit(null);
    expect(await auditRows('voucher.batch_create')).toHaveLength(1);

    const text = 'AUDITIMP001\nAUDITIMP002\n';
    const imp = await inject(h, owner, 'POST', '/api/admin/vouchers/import', { planId: 1, text });
    expect(imp.json()).toMatchObject({ imported: 2 });
    expect(await auditRows('voucher.import')).toEqual([
      expect.objectContaining({ actor: 'boss', entity_id: imp.json().batchId }),
    ]);
    // Every line is a duplicate now: nothing imported, nothing audited.
    expect(
      (await inject(h, owner, 'POST', '/api/admin/vouchers/import', { planId: 1, text })).json(),
    ).toMatchObject({
      imported: 0,
      batchId: null,
    });
    await refuseAudit('voucher.import');
    const lost = await inject(h, owner, 'POST', '/api/admin/vouchers/import', {
      planId: 1,
      text: 'AUDITIMP003\n',
    });
    expect(lost.statusCode).toBe(500);
    await refuseAudit(null);
    expect(await auditRows('voucher.import')).toHaveLength(1);
    expect(await count(sql`SELECT count(*)::int AS n FROM access_codes WHERE batch_id IS NOT NULL`)).toBe(5);
  });

  it('a cash voucher sale: one row, not two, on either endpoint', async () => {
    const a = await inject(h, owner, 'POST', '/api/admin/vouchers/sell-cash', { planId: 1 });
    expect(a.statusCode).toBe(201);
    const b = await inject(h, owner, 'POST', '/api/admin/purchases/cash', { planId: 1, purpose: 'voucher' });
    expect(b.statusCode).toBe(201);
    for (const sale of [a.json(), b.json()]) {
      const trail = await rows(sql`SELECT actor, action FROM audit_log WHERE entity_id = ${sale.purchaseId}`);
      expect(trail).toEqual([{ actor: 'boss', action: 'purchase.cash_sale' }]);
    }
    await refuseAudit('purchase.cash_sale');
    const requestId = randomUUID();
    const lost = await inject(h, owner, 'POST', '/api/admin/vouchers/sell-cash', { planId: 1, requestId });
    expect(lost.statusCode).toBe(500);
    await refuseAudit(null);
    expect(await count(sql`SELECT count(*)::int AS n FROM purchases WHERE id = ${requestId}`)).toBe(0);
    expect(
      await count(sql`SELECT count(*)::int AS n FROM access_codes WHERE purchase_id = ${requestId}`),
    ).toBe(0);
  });
});

describe('the CLI audits its changes as "cli"', () => {
  let t: TestDatabase | null = null;
  const dir = mkdtempSync(join(tmpdir(), 'wavu-audit-cli-'));
  const saved = { ...process.env };

  beforeAll(async () => {
    // The commands open the configured database: a throwaway PostgreSQL one, or PGlite in `dir`.
    if (onPostgres()) t = await createTestDatabase();
    Object.assign(process.env, {
      WAVU_DATA_DIR: dir,
      LOG_LEVEL: 'silent',
      PUBLIC_URL: 'https://wifi.example.com',
    });
    if (t?.url) process.env.DATABASE_URL = t.url;
    else delete process.env.DATABASE_URL;
  });
  afterAll(async () => {
    process.env = saved;
    await t?.drop();
  });

  it('wavu routers add and wavu vouchers create each leave exactly one row', {
    timeout: 120_000,
  }, async () => {
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    let codes: number[];
    try {
      codes = [
        (await routersCommand.run(
          ['add', 'cli-r1', '--mode', 'radius', '--address', '10.9.0.1'],
          cliContext,
        )) ?? 0,
        // The same name again: refused by the use case, so no second row.
        (await routersCommand.run(
          ['add', 'cli-r1', '--mode', 'radius', '--address', '10.9.0.2'],
          cliContext,
        )) ?? 0,
        await runVouchers(['create', '--plan', '1 hour', '--count', '3', '--online'], cliContext),
      ];
    } finally {
      out.mockRestore();
      err.mockRestore();
    }
    expect(codes).toEqual([0, 1, 0]);
    const database = t ? t.database : await openDatabase({ dataDir: dir });
    try {
      const audit = await query<{ actor: string; actor_id: number | null; action: string; detail: any }>(
        database.db,
        sql`SELECT actor, actor_id, action, detail FROM audit_log ORDER BY id`,
      );
      expect(audit.map((a) => [a.actor, a.actor_id, a.action])).toEqual([
        ['cli', null, 'router.create'],
        ['cli', null, 'voucher.batch_create'],
      ]);
      expect(audit[0]!.detail).toMatchObject({ name: 'cli-r1', mode: 'radius', address: '10.9.0.1' });
      expect(audit[1]!.detail).toMatchObject({ planId: 1, count: 3, sellOnline: true });
      const routers = await query<{ n: number }>(database.db, sql`SELECT count(*)::int AS n FROM routers`);
      expect(Number(routers[0]!.n)).toBe(1);
    } finally {
      if (!t) await database.close();
    }
  });
});
