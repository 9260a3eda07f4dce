/** The voucher template renderer: parsing, the leave-out rule, escaping, every placeholder. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_BRANDING } from '../../src/branding/index.ts';
import { AppError } from '../../src/lib/errors.ts';
import {
  DEFAULT_TEMPLATE,
  fillTemplate,
  lineText,
  parseTemplate,
  PLACEHOLDERS,
} from '../../src/vouchers/ticket-template.ts';
import { ticketHtml } from '../../src/vouchers/print-html.ts';
import { ticketValues } from '../../src/vouchers/ticket-values.ts';

const sheet = {
  plan: {
    id: 1,
    name: '3 Hours',
    priceKes: 30,
    durationSeconds: 3 * 3600,
    dataCapBytes: 1e9,
    devices: 2,
    clock: 'uptime' as const,
  },
  branding: { ...DEFAULT_BRANDING, name: 'Mama <Njeri> & Co', supportPhone: '0712 345 678' },
  validUntil: new Date('2026-12-31T00:00:00Z'),
  publicUrl: 'https://wifi.example/',
};
const text = (t: string, v = ticketValues(sheet, { code: 'ACDEFGHJKM', password: null })) =>
  fillTemplate(parseTemplate(t), v).map((l) => (l.qr ? '[QR]' : lineText(l)));

const refusal = (t: string) => {
  try {
    parseTemplate(t);
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    expect((e as AppError).status).toBe(400);
    return (e as AppError).message;
  }
  throw new Error('accepted');
};

describe('voucher template', () => {
  it('fills every placeholder', () => {
    const all = Object.keys(PLACEHOLDERS)
      .map((p) => `${p}=${p === 'qr' ? '' : `{{${p}}}`}`)
      .filter((l) => !l.startsWith('qr='));
    const out = text(
      [...all, '{{qr}}'].join('\n'),
      ticketValues(sheet, { code: 'mh7k2q9x', password: '4821' }),
    );
    expect(out).toEqual([
      'business=Mama <Njeri> & Co',
      'plan=3 Hours',
      'price=KES 30',
      'duration=3 hours online',
      'data=1 GB',
      'devices=2 devices',
      'code=mh7k2q9x',
      'password=4821',
      'expires=2026-12-31',
      'support_phone=0712 345 678',
      'portal_url=https://wifi.example/portal/voucher?code=mh7k2q9x',
      '[QR]',
    ]);
  });

  it('the default prints today’s ticket, and the password only where there is one', () => {
    expect(text(DEFAULT_TEMPLATE)).toEqual([
      'Mama <Njeri> & Co',
      '3 Hours',
      'KES 30 · 3 hours online · 1 GB · 2 devices',
      'ACDEF GHJKM',
      '[QR]',
      'Use by 2026-12-31 · Help 0712 345 678',
    ]);
    const pw = text(DEFAULT_TEMPLATE, ticketValues(sheet, { code: 'mh7k2q9x', password: '4821' }));
    expect(pw).toContain('mh7k2q9x');
    expect(pw).toContain('Password: 4821');
    // A code-only voucher shows its code once, and no password line.
    const once = text(DEFAULT_TEMPLATE).join('\n');
    expect(once.split('ACDEF GHJKM')).toHaveLength(2);
    expect(once).not.toMatch(/password/i);
  });

  it('leaves out a line or a · part whose placeholders are all empty, never plain text', () => {
    const bare = ticketValues(
      {
        ...sheet,
        plan: { ...sheet.plan, dataCapBytes: null, devices: 1, clock: 'wall' },
        validUntil: null,
        branding: { ...sheet.branding, supportPhone: null },
      },
      { code: 'ACDEFGHJKM', password: null },
    );
    expect(text(DEFAULT_TEMPLATE, bare)).toEqual([
      'Mama <Njeri> & Co',
      '3 Hours',
      'KES 30 · 3 hours',
      'ACDEF GHJKM',
      '[QR]',
    ]);
    expect(text('Thank you!\n\n{{code}}', bare)).toEqual(['Thank you!', '', 'ACDEF GHJKM']);
  });

  it('refuses an unknown placeholder by name, and other mistakes in words', () => {
    expect(refusal('{{code}}\n{{pasword}}')).toMatch(/unknown placeholder \{\{pasword\}\} on line 2/);
    expect(refusal('{{code}} {{qr}}')).toMatch(/\{\{qr\}\} must be on a line of its own/);
    expect(refusal('{{code}}\n{{qr}}\n{{qr}}')).toMatch(/only once/);
    expect(refusal('{{code}} {{plan')).toMatch(/"\{\{" without its closing "\}\}" on line 1/);
    expect(refusal('{{plan}}')).toMatch(/\{\{code\}\} is missing/);
    expect(refusal('  ')).toMatch(/empty/);
    expect(refusal(`{{code}}${'x'.repeat(1000)}`)).toMatch(/longer than 1000/);
  });

  it('prints template text and values as text: no markup gets through', () => {
    const t = parseTemplate('<script>alert(1)</script> <b>{{business}}</b>\n{{code}}');
    const html = ticketHtml(
      fillTemplate(t, ticketValues(sheet, { code: 'ACDEFGHJKM', password: null })),
      () => '',
    );
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<b>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &lt;b&gt;');
    expect(html).toContain('<span class="b">Mama &lt;Njeri&gt; &amp; Co</span>');
    expect(html).toContain('<span class="c">ACDEF GHJKM</span>');
  });
});
