/** The subscription texts fit one GSM-7 SMS with the longest values, keeping what matters. */
import { describe, expect, it } from 'vitest';
import { SMS_LANGS, renderSms } from '../../src/notify/templates.ts';
import { gsm7Length } from '../../src/protocols/sms/gsm7.ts';
import { formatDueDate } from '../../src/subscribers/due-format.ts';

const business = 'Mama Njeri Cyber & Hostel WiFi Services Limited of Kahawa Sukari';

describe('subscription texts', () => {
  for (const lang of SMS_LANGS) {
    it(`receipt/${lang} fits one SMS and keeps the amount, account, due date and balance`, () => {
      const v = {
        business,
        amountKes: 250000,
        receipt: 'SGK3ABCDEF',
        account: 'A'.repeat(20),
        due: formatDueDate(new Date('2026-12-30T21:00:00Z'), lang),
        balanceKes: 999999,
      };
      const text = renderSms('subscription_receipt', lang, v);
      expect(gsm7Length(text)!).toBeLessThanOrEqual(160);
      for (const part of ['250000', 'A'.repeat(20), lang === 'en' ? '31 Dec 2026' : '31 Des 2026', '999999'])
        expect(text).toContain(part);
      expect(renderSms('subscription_receipt', lang, { ...v, receipt: null })).not.toContain('M-Pesa');
    });
    it(`due reminder/${lang} fits one SMS, dropping the link before how to pay or stop`, () => {
      const v = {
        business,
        days: 3,
        amountKes: 250000,
        account: 'A'.repeat(20),
        pay: 'Paybill 4123456',
        url: 'https://wifi.example.co.ke/pay?account=AAAAAAAAAAAAAAAAAAAA',
      };
      const text = renderSms('due_reminder', lang, v);
      expect(gsm7Length(text)!).toBeLessThanOrEqual(160);
      expect(text).toContain(`Paybill 4123456 ${lang === 'en' ? 'account' : 'akaunti'} ${'A'.repeat(20)}`);
      expect(text).toContain(lang === 'en' ? 'STOP' : 'ACHA');
      const short = renderSms('due_reminder', lang, {
        ...v,
        business: 'Wavu',
        account: 'W1001',
        url: 'https://w.ke/pay?account=W1001',
        amountKes: 1500,
      });
      expect(short).toContain('https://w.ke/pay?account=W1001');
      expect(renderSms('due_reminder', lang, { ...v, days: 0 })).toContain(
        lang === 'en' ? 'due today' : 'ni leo',
      );
    });
  }
});
