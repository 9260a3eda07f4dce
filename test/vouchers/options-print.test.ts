/**
 * Voucher generation options, whole-batch changes and printing for receipt rolls, through the
 * admin API on a real database.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { query } from '../../src/db/open.ts';
import { entropyBits, strengthWarning } from '../../src/lib/code-format.ts';
import { type AdminHarness, adminHarness, inject, makeUser, sessionFor } from '../admin/helpers.ts';

let h: AdminHarness;
let owner: { cookie: string; csrf: string };
let cashier: { cookie: string; csrf: string };
const rows = <T = Record<string, any>>(q: ReturnType<typeof sql>) => query<T>(h.app.deps.db, q);
const codesOf = async (batchId: string) =>
  (await inject(h, owner, 'GET', `/api/admin/codes?batchId=${batchId}&limit=200`)).json().items as any[];
const auditOf = (id: string) =>
  rows<{ action: string; detail: any }>(
    sql`SELECT action, detail FROM audit_log WHERE entity_id = ${id} ORDER BY id`,
  );

beforeAll(async () => {
  h = await adminHarness();
  owner = await sessionFor(h, (await makeUser(h, 'boss', 'owner')).id);
  cashier = await sessionFor(h, (await makeUser(h, 'till', 'cashier')).id);
});
afterAll(() => h.stop());

describe('generation options', () => {
  it('makes codes with the prefix, length and character set asked for, and warns below 40 bits', async () => {
    const digits = await inject(h, owner, 'POST', '/api/admin/vouchers/batches', {
      planId: 1,
      count: 20,
      prefix: 'hs',
      length: 8,
      charset: 'digits',
    });
    expect(digits.statusCode, digits.body).toBe(201);
    expect(digits.json()).toMatchObject({ entropyBits: 26.5, warning: expect.stringContaining('26.5 bits') });
    expect(digits.json().entropyBits).toBe(entropyBits(8, 'digits'));
    for (const c of await codesOf(digits.json().batchId)) expect(c.code).toMatch(/^HS\d{8}$/);

    const letters = await inject(h, owner, 'POST', '/api/admin/vouchers/batches', {
      planId: 1,
      count: 20,
      length: 12,
      charset: 'letters',
    });
    expect(letters.json()).toMatchObject({ warning: null });
    for (const c of await codesOf(letters.json().batchId)) {
      expect(c.code).toMatch(/^[A-Z]{12}$/);
      expect(c.code).not.toMatch(/[ILO]/);
    }
    const mixed = await inject(h, owner, 'POST', '/api/admin/vouchers/batches', {
      planId: 1,
      count: 20,
      length: 8,
      charset: 'mixed',
    });
    expect(mixed.json().entropyBits).toBe(37.1);
    for (const c of await codesOf(mixed.json().batchId))
      expect(c.code).toMatch(/^[ACDEFGHJKMNPQRTUVWXY34679]{8}$/);
    expect(strengthWarning(9, 'mixed')).toBeNull();

    // The audit row says how strong the codes were.
    const a = await auditOf(digits.json().batchId);
    expect(a[0]).toMatchObject({ action: 'voucher.batch_create', detail: { entropyBits: 26.5 } });
  });

  it('refuses bad options with 400 naming the field', async () => {
    const bad = async (body: object, field: string) => {
      const r = await inject(h, owner, 'POST', '/api/admin/vouchers/batches', {
        planId: 1,
        count: 5,
        ...body,
      });
      expect(r.statusCode, r.body).toBe(400);
      expect(r.json().error.message).toContain(field);
    };
    await bad({ prefix: 'AB-1' }, 'prefix');
    await bad({ prefix: 'ABCDEFG' }, 'prefix');
    await bad({ length: 5 }, 'length');
    await bad({ length: 21 }, 'length');
    await bad({ charset: 'emoji' }, 'charset');
    // Six digits cannot hold 100 000 distinct codes sparsely.
    await bad({ count: 100_000, length: 6, charset: 'digits' }, 'length');
  });
});

describe('whole batches', () => {
  it('disables (unused codes stop, used ones run on), moves and deletes a batch, each audited', async () => {
    const b = (await inject(h, owner, 'POST', '/api/admin/vouchers/batches', { planId: 1, count: 4 })).json();
    const codes = await codesOf(b.batchId);
    await rows(
      sql`UPDATE access_codes SET status = 'active', activated_at = now() WHERE id = ${codes[0].id}`,
    );

    const moved = await inject(h, owner, 'PATCH', `/api/admin/vouchers/batches/${b.batchId}`, {
      planId: 2,
      label: 'Moved',
    });
    expect(moved.statusCode, moved.body).toBe(200);
    expect(moved.json()).toEqual({ moved: 3 });
    const after = await rows<{ id: string; plan_id: number; duration_seconds: number }>(
      sql`SELECT id, plan_id, duration_seconds FROM access_codes WHERE batch_id = ${b.batchId}`,
    );
    expect(after.find((c) => c.id === codes[0].id)!.plan_id).toBe(1);
    expect(after.filter((c) => Number(c.plan_id) === 2)).toHaveLength(3);

    expect((await inject(h, owner, 'DELETE', `/api/admin/vouchers/batches/${b.batchId}`)).statusCode).toBe(
      409,
    );
    const off = await inject(h, owner, 'POST', `/api/admin/vouchers/batches/${b.batchId}/disable`);
    expect(off.json()).toEqual({ revoked: 3 });
    const st = await rows<{ status: string; n: number }>(
      sql`SELECT status, count(*)::int AS n FROM access_codes WHERE batch_id = ${b.batchId} GROUP BY status ORDER BY status`,
    );
    expect(st.map((s) => [s.status, Number(s.n)])).toEqual([
      ['active', 1],
      ['revoked', 3],
    ]);
    expect((await auditOf(b.batchId)).map((a) => a.action)).toEqual([
      'voucher.batch_create',
      'voucher.batch_move',
      'voucher.batch_disable',
    ]);

    const spare = (
      await inject(h, owner, 'POST', '/api/admin/vouchers/batches', { planId: 1, count: 2 })
    ).json();
    const del = await inject(h, owner, 'DELETE', `/api/admin/vouchers/batches/${spare.batchId}`);
    expect(del.json()).toEqual({ deleted: 2 });
    expect(await rows(sql`SELECT 1 FROM voucher_batches WHERE id = ${spare.batchId}`)).toHaveLength(0);
    expect((await auditOf(spare.batchId)).map((a) => a.action)).toContain('voucher.batch_delete');
  });

  it('refuses bad batch changes: 400 naming the field, 404 for no batch, 403 for a cashier', async () => {
    const b = (await inject(h, owner, 'POST', '/api/admin/vouchers/batches', { planId: 1, count: 1 })).json();
    const empty = await inject(h, owner, 'PATCH', `/api/admin/vouchers/batches/${b.batchId}`, {});
    expect(empty.statusCode).toBe(400);
    expect(empty.json().error.message).toContain('planId');
    const extra = await inject(h, owner, 'PATCH', `/api/admin/vouchers/batches/${b.batchId}`, { router: 1 });
    expect(extra.statusCode).toBe(400);
    expect(
      (await inject(h, owner, 'PATCH', `/api/admin/vouchers/batches/${b.batchId}`, { planId: 'x' }))
        .statusCode,
    ).toBe(400);
    expect(
      (await inject(h, owner, 'PATCH', `/api/admin/vouchers/batches/${b.batchId}`, { planId: 9999 }))
        .statusCode,
    ).toBe(404);
    expect(
      (await inject(h, owner, 'POST', '/api/admin/vouchers/batches/not-a-uuid/disable')).statusCode,
    ).toBe(400);
    expect(
      (await inject(h, owner, 'DELETE', '/api/admin/vouchers/batches/00000000-0000-4000-8000-000000000000'))
        .statusCode,
    ).toBe(404);
    expect(
      (await inject(h, cashier, 'POST', `/api/admin/vouchers/batches/${b.batchId}/disable`)).statusCode,
    ).toBe(403);
  });
});

describe('receipt printers', () => {
  it('prints a batch for 58 and 80 mm rolls, and one voucher again, audited', async () => {
    const b = (await inject(h, owner, 'POST', '/api/admin/vouchers/batches', { planId: 1, count: 3 })).json();
    const codes = await codesOf(b.batchId);
    for (const layout of ['58mm', '80mm']) {
      const r = await inject(
        h,
        cashier,
        'GET',
        `/api/admin/vouchers/batches/${b.batchId}/print?layout=${layout}`,
      );
      expect(r.statusCode).toBe(200);
      expect(r.body).toContain(`size:${layout.slice(0, 2)}mm auto`);
      for (const c of codes) expect(r.body).toContain(`${c.code.slice(0, 5)} ${c.code.slice(5)}`);
      expect(r.body.match(/<section class="t">/g)).toHaveLength(3);
    }
    const one = await inject(h, cashier, 'GET', `/api/admin/codes/${codes[1].id}/print?layout=58mm`);
    expect(one.statusCode).toBe(200);
    expect(one.body.match(/<section class="t">/g)).toHaveLength(1);
    expect(one.body).toContain(`${codes[1].code.slice(0, 5)} ${codes[1].code.slice(5)}`);
    expect(one.body).not.toContain(codes[0].code.slice(0, 5) + ' ');
    const a = await auditOf(codes[1].id);
    expect(a.at(-1)).toMatchObject({
      action: 'voucher.reprint',
      detail: { batchId: b.batchId, layout: '58mm' },
    });
  });

  it('ESC/POS bytes: initialise, text, QR (model 2, stored and printed) and a cut per ticket', async () => {
    const b = (await inject(h, owner, 'POST', '/api/admin/vouchers/batches', { planId: 1, count: 2 })).json();
    const codes = await codesOf(b.batchId);
    const r = await inject(
      h,
      cashier,
      'GET',
      `/api/admin/vouchers/batches/${b.batchId}/print.escpos?width=80`,
    );
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toBe('application/octet-stream');
    expect(r.headers['content-disposition']).toMatch(/attachment; filename="vouchers-.*\.bin"/);
    const bytes = r.rawPayload;
    expect([...bytes.subarray(0, 2)]).toEqual([0x1b, 0x40]);
    const count = (seq: number[]) => {
      let n = 0;
      for (let i = 0; i <= bytes.length - seq.length; i++) if (seq.every((x, j) => bytes[i + j] === x)) n++;
      return n;
    };
    expect(count([0x1d, 0x56, 66])).toBe(2); // one cut per ticket
    expect(count([0x1d, 0x28, 0x6b, 4, 0, 0x31, 0x41, 0x32])).toBe(2); // QR model 2
    expect(count([0x1d, 0x28, 0x6b, 3, 0, 0x31, 0x51, 0x30])).toBe(2); // QR print
    const text = bytes.toString('latin1');
    for (const c of codes) {
      expect(text).toContain(`${c.code.slice(0, 5)} ${c.code.slice(5)}\n`);
      const url = `/portal/voucher?code=${c.code}`;
      const at = text.indexOf(url);
      expect(at).toBeGreaterThan(0);
      // The QR store command's length covers the URL and its three header bytes.
      const head = text.lastIndexOf('\x1d(k', at);
      const len = bytes[head + 3]! + bytes[head + 4]! * 256;
      expect(len).toBe(at + url.length - (head + 8) + 3);
    }
    expect(bytes.at(-4)).toBe(0x1d);
    const single = await inject(h, cashier, 'GET', `/api/admin/codes/${codes[0].id}/print.escpos?width=58`);
    expect(single.statusCode).toBe(200);
    expect(single.rawPayload.toString('latin1')).not.toContain(codes[1].code);
  });

  it('refuses bad print requests: 400 for a layout or width it does not know, 409 for online stock', async () => {
    const b = (await inject(h, owner, 'POST', '/api/admin/vouchers/batches', { planId: 1, count: 1 })).json();
    const bad = await inject(h, cashier, 'GET', `/api/admin/vouchers/batches/${b.batchId}/print?layout=a5`);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toContain('layout');
    const w = await inject(
      h,
      cashier,
      'GET',
      `/api/admin/vouchers/batches/${b.batchId}/print.escpos?width=76`,
    );
    expect(w.statusCode).toBe(400);
    expect(w.json().error.message).toContain('width');
    const stock = (
      await inject(h, owner, 'POST', '/api/admin/vouchers/batches', { planId: 1, count: 1, sellOnline: true })
    ).json();
    const [c] = await codesOf(stock.batchId);
    expect((await inject(h, cashier, 'GET', `/api/admin/codes/${c.id}/print`)).statusCode).toBe(409);
    expect((await inject(h, cashier, 'GET', '/api/admin/codes/not-a-uuid/print')).statusCode).toBe(400);
  });
});
