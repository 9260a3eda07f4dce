import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateAccessCode, hashCode } from '../../src/access/codes.ts';
import { createDeps } from '../../src/app/create-deps.ts';
import type { Deps } from '../../src/app/deps.ts';
import { type App, createApp } from '../../src/app/run.ts';
import { query } from '../../src/db/open.ts';
import { ManualClock } from '../../src/lib/clock.ts';
import { loadBatchSheet } from '../../src/vouchers/batch-sheet.ts';
import { createVoucherBatch } from '../../src/vouchers/create-batch.ts';
import { importVouchers } from '../../src/vouchers/import-vouchers.ts';
import { insertVoucherCodes } from '../../src/vouchers/insert-codes.ts';
import { getPlan } from '../../src/plans/index.ts';
import { renderSheetPdf, ticketBox } from '../../src/vouchers/print-pdf.ts';
import { sellVoucher } from '../../src/access/sell-voucher.ts';
import { silentLog, testConfig } from '../helpers/app.ts';
import { createTestDatabase, onPostgres, type TestDatabase } from '../helpers/db.ts';
import { newId, planId } from './helpers.ts';
import { adminHeaders } from '../admin/helpers.ts';
import { SYSTEM } from '../../src/audit/index.ts';

const PUBLIC_URL = 'https://wifi.example.co.ke';
let t: TestDatabase;
let app: App;
let deps: Deps;
let headers: Record<string, string>;
const clock = new ManualClock('2026-03-01T08:00:00Z');

beforeAll(async () => {
  t = await createTestDatabase();
  app = await createApp({
    config: testConfig({ PUBLIC_URL }),
    roles: ['serve'],
    log: silentLog(),
    clock,
    database: t.database,
    listen: false,
  });
  deps = app.deps;
  headers = await adminHeaders(app);
});
afterAll(async () => {
  await app.stop();
  await t.drop();
});

/** A second "node" on the same PostgreSQL database (its own pool), or the same deps on PGlite. */
async function otherNode(): Promise<Deps> {
  if (!onPostgres()) return deps;
  const database = await t.openAnother();
  return createDeps({ config: deps.config, database, clock, log: silentLog() });
}

const which = (bin: string) => spawnSync('sh', ['-c', `command -v ${bin}`]).status === 0;

describe('voucher batches', () => {
  it('generates 100k codes without a duplicate, all from the unambiguous alphabet', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 100_000; i++) seen.add(generateAccessCode());
    expect(seen.size).toBe(100_000);
    for (const c of [...seen].slice(0, 1000)) expect(c).toMatch(/^[ACDEFGHJKMNPQRTUVWXY34679]{10}$/);
  });

  it('makes a 10k batch in one transaction with multi-row inserts', async () => {
    const plan = await planId(deps, '1 Hour');
    const t0 = performance.now();
    const b = await createVoucherBatch(deps, { actor: SYSTEM, planId: plan, count: 10_000, label: 'big' });
    const ms = performance.now() - t0;
    console.log(`10k voucher batch on ${t.database.kind}: ${Math.round(ms)} ms`);
    expect(b.count).toBe(10_000);
    const [r] = await query<{ n: number; d: number; s: number }>(
      deps.db,
      sql`SELECT count(*)::int AS n, count(DISTINCT code_hash)::int AS d, count(DISTINCT batch_id)::int AS s
          FROM access_codes WHERE batch_id = ${b.batchId} AND kind = 'voucher' AND status = 'issued'`,
    );
    expect(r).toEqual({ n: 10_000, d: 10_000, s: 1 });
    const [batch] = await query<{ count: number; sell_online: boolean }>(
      deps.db,
      sql`SELECT count, sell_online FROM voucher_batches WHERE id = ${b.batchId}`,
    );
    expect(Number(batch!.count)).toBe(10_000);
    // Codes are kept sealed and hashed, never in clear.
    const [one] = await query<{ code_hash: string; code_sealed: string }>(
      deps.db,
      sql`SELECT code_hash, code_sealed FROM access_codes WHERE batch_id = ${b.batchId} LIMIT 1`,
    );
    const code = deps.sealer.unseal(one!.code_sealed);
    expect(hashCode(deps.sealer, code)).toBe(one!.code_hash);
    expect(one!.code_sealed).not.toContain(code);
  });

  it('a batch is all or nothing', async () => {
    const before = await query<{ n: number }>(deps.db, sql`SELECT count(*)::int AS n FROM voucher_batches`);
    await expect(createVoucherBatch(deps, { actor: SYSTEM, planId: 999_999, count: 5 })).rejects.toThrow(
      /no plan/,
    );
    const after = await query<{ n: number }>(deps.db, sql`SELECT count(*)::int AS n FROM voucher_batches`);
    expect(after[0]!.n).toBe(before[0]!.n);
  });

  it('the unique index holds when two nodes insert the same codes at once', async () => {
    const other = await otherNode();
    const plan = await getPlan(deps.db, await planId(deps, '3 Hours'));
    const codes = Array.from({ length: 3000 }, () => generateAccessCode());
    const mk = async (d: Deps, list: string[]) =>
      d.db.transaction(async (tx) => {
        const batchId = newId();
        await tx.execute(
          sql`INSERT INTO voucher_batches (id, plan_id, count, created_at) VALUES (${batchId}, ${plan.id}, ${list.length}, ${clock.now()})`,
        );
        return insertVoucherCodes(tx, d, { batchId, plan, codes: list, validUntil: null });
      });
    // Overlapping halves, reversed on one side so the two transactions meet in the middle.
    const a = codes.slice(0, 2000);
    const b = codes.slice(1000).reverse();
    const [ra, rb] = await Promise.all([mk(deps, a), mk(other, b)]);
    expect(ra.inserted.length + rb.inserted.length).toBe(3000);
    expect(ra.taken.length + rb.taken.length).toBe(1000);
    const hashes = codes.map((c) => hashCode(deps.sealer, c));
    const [r] = await query<{ n: number }>(
      deps.db,
      sql`SELECT count(*)::int AS n FROM access_codes WHERE code_hash IN (${sql.join(
        hashes.map((h) => sql`${h}`),
        sql`, `,
      )})`,
    );
    expect(r!.n).toBe(3000);
  });

  it('concurrent batches from two nodes never share a code', async () => {
    const other = await otherNode();
    const plan = await planId(deps, '6 Hours');
    const res = await Promise.all([
      createVoucherBatch(deps, { actor: SYSTEM, planId: plan, count: 2000 }),
      createVoucherBatch(other, { actor: SYSTEM, planId: plan, count: 2000 }),
      createVoucherBatch(deps, { actor: SYSTEM, planId: plan, count: 2000 }),
    ]);
    const all = new Set(res.flatMap((r) => r.codes));
    expect(all.size).toBe(6000);
  });
});

describe('import and sale', () => {
  it('imports MikroTik vouchers, reports duplicates in the file and against existing codes', async () => {
    const plan = await planId(deps, '1 Hour');
    const existing = await createVoucherBatch(deps, { actor: SYSTEM, planId: plan, count: 2 });
    const rsc = [
      '/ip hotspot user',
      ...Array.from(
        { length: 40 },
        (_, i) =>
          `add name=mt${String(i).padStart(4, '0')}x password=mt${String(i).padStart(4, '0')}x profile=1h`,
      ),
      'add name=mt0001x password=mt0001x profile=1h',
      `add name=${existing.codes[0]} password=${existing.codes[0]} profile=1h`,
    ].join('\n');
    const r = await importVouchers(deps, { actor: SYSTEM, planId: plan, text: rsc, label: 'router1.rsc' });
    expect(r.format).toBe('mikrotik');
    expect(r.imported).toBe(40);
    expect(r.problems).toEqual([
      { line: 42, value: 'mt0001x', reason: 'duplicate of line 3 in this file' },
      { line: 43, value: existing.codes[0], reason: 'this code already exists in Wavu' },
    ]);
    // Importing the same file again adds nothing and names every line.
    const again = await importVouchers(deps, { actor: SYSTEM, planId: plan, text: rsc });
    expect(again.imported).toBe(0);
    expect(again.batchId).toBeNull();
    expect(again.problems.filter((p) => p.reason === 'this code already exists in Wavu')).toHaveLength(41);
    // Strict: one bad line and nothing is written.
    const strict = await importVouchers(deps, {
      actor: SYSTEM,
      planId: plan,
      text: 'NEWCODE111\nNEWCODE111\nNEWCODE222\n',
      strict: true,
    });
    expect(strict.imported).toBe(0);
    const [n] = await query<{ n: number }>(
      deps.db,
      sql`SELECT count(*)::int AS n FROM access_codes WHERE code_hash = ${hashCode(deps.sealer, 'NEWCODE222')}`,
    );
    expect(n!.n).toBe(0);
  });

  it('sells each imported voucher at most once under concurrency, and loses none', async () => {
    const other = await otherNode();
    const plan = await planId(deps, '24 Hours');
    const codes = Array.from({ length: 30 }, (_, i) => `SALE${String(i).padStart(4, '0')}`);
    const r = await importVouchers(deps, { actor: SYSTEM, planId: plan, text: codes.join('\n') });
    expect(r.imported).toBe(30);
    // A paper batch of the same plan must never be handed out electronically.
    await createVoucherBatch(deps, { actor: SYSTEM, planId: plan, count: 5 });

    const buyers = Array.from({ length: 45 }, (_, i) => ({
      purchaseId: newId(),
      node: i % 2 ? other : deps,
    }));
    const results = await Promise.all(
      buyers.map((b) =>
        b.node.db.transaction((tx) => sellVoucher(tx, b.node, { planId: plan, purchaseId: b.purchaseId })),
      ),
    );
    const sold = results.filter((x) => x !== null);
    expect(sold).toHaveLength(30);
    expect(new Set(sold.map((s) => s.code))).toEqual(new Set(codes));
    expect(new Set(sold.map((s) => s.accessCodeId)).size).toBe(30);
    const rows = await query<{ purchase_id: string; sold_at: string }>(
      deps.db,
      sql`SELECT purchase_id, sold_at FROM access_codes WHERE batch_id = ${r.batchId}`,
    );
    expect(rows.every((x) => x.purchase_id && x.sold_at)).toBe(true);
    expect(new Set(rows.map((x) => x.purchase_id)).size).toBe(30);
    // Stock is empty now: the next sale gets null (the caller makes a fresh code).
    expect(
      await deps.db.transaction((tx) => sellVoucher(tx, deps, { planId: plan, purchaseId: newId() })),
    ).toBeNull();
  });

  it('a rolled-back sale returns the voucher to stock', async () => {
    const plan = await planId(deps, '3 Hours');
    await importVouchers(deps, { actor: SYSTEM, planId: plan, text: 'ROLLBACK01\n' });
    await expect(
      deps.db.transaction(async (tx) => {
        const s = await sellVoucher(tx, deps, { planId: plan, purchaseId: newId() });
        expect(s?.code).toBe('ROLLBACK01');
        throw new Error('crash after claiming');
      }),
    ).rejects.toThrow('crash');
    const s = await deps.db.transaction((tx) => sellVoucher(tx, deps, { planId: plan, purchaseId: newId() }));
    expect(s?.code).toBe('ROLLBACK01');
  });

  it('does not sell a voucher past its valid_until', async () => {
    const plan = await planId(deps, '6 Hours');
    await importVouchers(deps, {
      actor: SYSTEM,
      planId: plan,
      text: 'STALE00001\n',
      validUntil: new Date(clock.now().getTime() + 3600_000),
    });
    clock.advance(2 * 3600_000);
    expect(
      await deps.db.transaction((tx) => sellVoucher(tx, deps, { planId: plan, purchaseId: newId() })),
    ).toBeNull();
  });
});

describe('printing', () => {
  it('prints an A4 PDF whose QR codes open the portal with the code', async () => {
    await deps.db.execute(
      sql`INSERT INTO settings (key, value) VALUES ('branding', ${JSON.stringify({ name: 'Kahawa Cyber', color: '#b45309', supportPhone: '0712 345 678' })}::jsonb)
          ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`,
    );
    const plan = await planId(deps, '3 Hours');
    const b = await createVoucherBatch(deps, {
      actor: SYSTEM,
      planId: plan,
      count: 26,
      validUntil: new Date('2026-12-31T00:00:00Z'),
    });
    const sheet = await loadBatchSheet(deps, b.batchId);
    expect(sheet.branding.name).toBe('Kahawa Cyber');
    const pdf = await renderSheetPdf(sheet);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    if (!which('pdftoppm') || !which('zbarimg')) {
      console.warn('SKIPPED QR decoding: install poppler-utils and zbar-tools (pdftoppm, zbarimg)');
      return;
    }
    const dir = mkdtempSync(join(tmpdir(), 'wavu-sheet-'));
    writeFileSync(join(dir, 'sheet.pdf'), pdf);
    const info = execFileSync('pdfinfo', [join(dir, 'sheet.pdf')]).toString();
    expect(info).toMatch(/Pages:\s+2/);
    expect(info).toMatch(/595\.\d* x 841\.\d* pts \(A4\)/);
    const dpi = 150;
    execFileSync('pdftoppm', ['-r', String(dpi), '-png', join(dir, 'sheet.pdf'), join(dir, 'page')]);
    const zbar = (file: string) =>
      spawnSync('zbarimg', ['-q', '--raw', file], { maxBuffer: 1 << 24 })
        .stdout.toString()
        .split('\n')
        .filter(Boolean);
    const decoded = new Set([...zbar(join(dir, 'page-1.png')), ...zbar(join(dir, 'page-2.png'))]);
    // zbar misses the odd symbol in a page full of them; any it missed is cut out of the same
    // rendering on its own, so every ticket's QR is still decoded from the rendered PDF.
    const px = (pt: number) => Math.round((pt * dpi) / 72);
    sheet.vouchers.forEach((v, i) => {
      const url = `${PUBLIC_URL}/portal/voucher?code=${v.code}`;
      if (decoded.has(url)) return;
      const box = ticketBox(i);
      const base = join(dir, `t${i}`);
      execFileSync('pdftoppm', [
        ...['-r', String(dpi), '-f', String(box.page), '-l', String(box.page), '-singlefile', '-png'],
        ...[
          '-x',
          String(px(box.x)),
          '-y',
          String(px(box.y)),
          '-W',
          String(px(box.w)),
          '-H',
          String(px(box.h)),
        ],
        join(dir, 'sheet.pdf'),
        base,
      ]);
      for (const d of zbar(`${base}.png`)) decoded.add(d);
    });
    expect([...decoded].sort()).toEqual(b.codes.map((c) => `${PUBLIC_URL}/portal/voucher?code=${c}`).sort());
    expect(readFileSync(join(dir, 'page-1.png')).length).toBeGreaterThan(1000);
  });

  it('serves the HTML print view and CSV, and refuses to print online stock', async () => {
    const plan = await planId(deps, '1 Hour');
    const b = await createVoucherBatch(deps, { actor: SYSTEM, planId: plan, count: 30, label: 'Desk <1>' });
    const html = await app.server!.inject({ url: `/api/admin/vouchers/batches/${b.batchId}/print`, headers });
    expect(html.statusCode).toBe(200);
    expect(html.headers['content-type']).toContain('text/html');
    expect(html.body).toContain('size:A4');
    expect(html.body.match(/<section class="pg">/g)).toHaveLength(2);
    expect(html.body.match(/<svg /g)).toHaveLength(30);
    expect(html.body).toContain('Desk &lt;1&gt;');
    for (const c of b.codes) expect(html.body).toContain(`${c.slice(0, 5)} ${c.slice(5)}`);

    const csv = await app.server!.inject({
      url: `/api/admin/vouchers/batches/${b.batchId}/export.csv`,
      headers,
    });
    expect(csv.body.split('\r\n')[0]).toBe(
      'code,plan,price_kes,duration,valid_until,status,batch_id,label,portal_url',
    );
    // Reading the export back in finds every code already known.
    const back = await importVouchers(deps, { actor: SYSTEM, planId: plan, text: csv.body });
    expect(back.imported).toBe(0);
    expect(back.problems).toHaveLength(30);

    const pdf = await app.server!.inject({
      url: `/api/admin/vouchers/batches/${b.batchId}/print.pdf`,
      headers,
    });
    expect(pdf.headers['content-type']).toBe('application/pdf');

    const stock = await createVoucherBatch(deps, { actor: SYSTEM, planId: plan, count: 3, sellOnline: true });
    const refused = await app.server!.inject({
      url: `/api/admin/vouchers/batches/${stock.batchId}/print`,
      headers,
    });
    expect(refused.statusCode).toBe(409);
    expect(
      (await app.server!.inject({ url: '/api/admin/vouchers/batches/nope/print', headers })).statusCode,
    ).toBe(400);
  });
});
