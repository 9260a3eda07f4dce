import type { BatchSheet } from './batch-sheet.ts';
import { formatDuration, portalUrl } from './format.ts';

const cell = (v: string | number | null) => {
  const s = v === null ? '' : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** One row per voucher; the `code` column is what `wavu vouchers import` reads back. */
export function renderSheetCsv(sheet: BatchSheet): string {
  const head = [
    'code',
    'plan',
    'price_kes',
    'duration',
    'valid_until',
    'status',
    'batch_id',
    'label',
    'portal_url',
  ];
  const lines = sheet.vouchers.map((v) =>
    [
      v.code,
      sheet.plan.name,
      sheet.plan.priceKes,
      formatDuration(sheet.plan.durationSeconds),
      sheet.validUntil ? sheet.validUntil.toISOString() : null,
      v.status,
      sheet.batchId,
      sheet.label,
      portalUrl(sheet.publicUrl, v.code),
    ]
      .map(cell)
      .join(','),
  );
  return `${[head.join(','), ...lines].join('\r\n')}\r\n`;
}
