/**
 * The voucher template through the admin API on a real database: a bad template is a 400 naming
 * the problem, a saved one changes the next A4, PDF-free HTML roll and ESC/POS print, reset goes
 * back to the default; user/password vouchers print their password on every layout.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { query } from '../../src/db/open.ts';
import { type AdminHarness, adminHarness, inject, makeUser, sessionFor } from '../admin/helpers.ts';

let h: AdminHarness;
let owner: { cookie: string; csrf: string };
let cashier: { cookie: string; csrf: string };
const T = '/api/admin/settings/voucher-template';
const version = async () =>
  Number((await query<{ v: number }>(h.app.deps.db, sql`SELECT version AS v FROM settings_version`))[0]!.v);

beforeAll(async () => {
  h = await adminHarness();
  owner = await sessionFor(h, (await makeUser(h, 'boss', 'owner')).id);
  cashier = await sessionFor(h, (await makeUser(h, 'till', 'cashier')).id);
});
afterAll(() => h.stop());

const prints = async (batchId: string) => ({
  a4: (await inject(h, cashier, 'GET', `/api/admin/vouchers/batches/${batchId}/print`)).body,
  roll: (await inject(h, cashier, 'GET', `/api/admin/vouchers/batches/${batchId}/print?layout=58mm`)).body,
  escpos: (
    await inject(h, cashier, 'GET', `/api/admin/vouchers/batches/${batchId}/print.escpos?width=58`)
  ).rawPayload.toString('latin1'),
});

describe('voucher print template', () => {
  it('refuses an unknown placeholder with a 400 naming it, and keeps what was in force', async () => {
    const before = (await inject(h, owner, 'GET', T)).json();
    expect(before).toMatchObject({ custom: false });
    expect(before.template).toBe(before.defaultTemplate);
    expect(before.placeholders.map((p: any) => p.name)).toContain('password');
    const bad = await inject(h, owner, 'PUT', T, { template: 'Hi {{code}} {{colour}}' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toContain('unknown placeholder {{colour}}');
    const preview = await inject(h, owner, 'POST', `${T}/preview`, { template: '{{qr}} {{code}}' });
    expect(preview.statusCode).toBe(400);
    expect(preview.json().error.message).toContain('{{qr}} must be on a line of its own');
    expect((await inject(h, owner, 'GET', T)).json().custom).toBe(false);
    expect((await inject(h, cashier, 'PUT', T, { template: '{{code}}' })).statusCode).toBe(403);
  });

  it('a saved template changes the next A4, roll and ESC/POS print; reset brings the default back', async () => {
    const b = (await inject(h, owner, 'POST', '/api/admin/vouchers/batches', { planId: 1, count: 2 })).json();
    const was = await prints(b.batchId);
    expect(was.a4).not.toContain('Karibu');
    const v0 = await version();
    const saved = await inject(h, owner, 'PUT', T, {
      template: 'Karibu <i>{{business}}</i>\nCode {{code}}\nAsk {{support_phone}}\n{{qr}}',
    });
    expect(saved.statusCode, saved.body).toBe(200);
    expect(await version()).toBe(v0 + 1);
    const now = await prints(b.batchId);
    for (const html of [now.a4, now.roll]) {
      expect(html).toContain('Karibu &lt;i&gt;<span class="b">');
      expect(html).not.toContain('<i>');
      expect(html).toMatch(/Code <span class="c">[A-Z0-9]{5} [A-Z0-9]{5}<\/span>/);
      expect(html).not.toContain('Ask'); // no support phone set: the line is left out
      expect(html).toContain('<svg');
    }
    expect(now.escpos).toContain('Karibu <i>Wavu WiFi</i>\n');
    expect(now.escpos).toMatch(/Code [A-Z0-9]{5} [A-Z0-9]{5}\n/);
    expect(now.escpos).not.toContain('KES');
    const reset = await inject(h, owner, 'PUT', T, { template: null });
    expect(reset.json()).toEqual({ custom: false });
    expect(await prints(b.batchId)).toEqual(was);
  });

  it('a voucher with its own password prints username and password on every layout', async () => {
    const imp = await inject(h, owner, 'POST', '/api/admin/vouchers/import', {
      planId: 1,
      text: 'Username,Password\nmh7k2q9x,4821\n',
      sellOnline: false,
    });
    expect(imp.statusCode, imp.body).toBeLessThan(300);
    const batchId = imp.json().batchId;
    const p = await prints(batchId);
    for (const html of [p.a4, p.roll]) {
      expect(html).toContain('<span class="c">MH7K2Q9X</span>');
      expect(html).toContain('Password: <span class="c">4821</span>');
    }
    expect(p.escpos).toContain('MH7K2Q9X\n');
    expect(p.escpos).toContain('Password: 4821\n');
    const pdf = await inject(h, cashier, 'GET', `/api/admin/vouchers/batches/${batchId}/print.pdf`);
    expect(pdf.statusCode).toBe(200);
  });
});
