/**
 * The printable sheet as HTML: A4, 3 × 8 tickets per page, each the operator's template filled in
 * (ticket-template.ts) with a QR code that opens the portal with the code filled in.
 * Everything is inline (no fonts, no images to fetch) so it prints the same offline.
 */
import type { BatchSheet } from './batch-sheet.ts';
import { portalUrl } from './format.ts';
import { qrSvg } from './qr.ts';
import type { TicketLine } from './ticket-template.ts';
import { ticketOf } from './ticket-values.ts';

export const PER_PAGE = 24;

export const esc = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** The tag of each run's look; the text itself is always escaped. */
const RUN_CLASS = { text: '', business: 'b', code: 'c' } as const;

/** One ticket's lines as HTML, the QR code where `qr` puts it (or nowhere when it returns ''). */
export function ticketHtml(lines: TicketLine[], qr: () => string): string {
  return lines
    .map((l) => {
      if (l.qr) return qr();
      const inner = l.runs
        .map((r) =>
          RUN_CLASS[r.style] ? `<span class="${RUN_CLASS[r.style]}">${esc(r.text)}</span>` : esc(r.text),
        )
        .join('');
      return `<div class="l">${inner || '&nbsp;'}</div>`;
    })
    .join('');
}

export function renderSheetHtml(sheet: BatchSheet): string {
  const b = sheet.branding;
  const tickets = sheet.vouchers.map((v) => {
    const lines = ticketOf(sheet, v);
    // On A4 the QR code sits at the ticket's right whatever line it is on in the template.
    const qr = lines.some((l) => l.qr) ? qrSvg(portalUrl(sheet.publicUrl, v.code), 84) : '';
    return `<div class="t"><div class="i">${ticketHtml(lines, () => '')}</div>${qr}</div>`;
  });
  const pages: string[] = [];
  for (let i = 0; i < tickets.length; i += PER_PAGE) {
    pages.push(`<section class="pg">${tickets.slice(i, i + PER_PAGE).join('')}</section>`);
  }
  const title = `${b.name} vouchers · ${sheet.plan.name}${sheet.label ? ` · ${sheet.label}` : ''}`;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>
@page{size:A4;margin:7mm}
*{box-sizing:border-box}body{margin:0;font:11px/1.25 Arial,Helvetica,sans-serif;color:#111}
.bar{padding:8px;font-size:13px}.bar button{font-size:13px}@media print{.bar{display:none}}
.pg{display:grid;grid-template-columns:repeat(3,1fr);grid-auto-rows:35.3mm;width:196mm;break-after:page}
.t{border:1px dashed #aaa;padding:2mm 2.5mm;overflow:hidden;display:flex;justify-content:space-between;align-items:flex-start;gap:1mm}
.i{min-width:0;flex:1}.l{font-size:10px;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.b{font-weight:bold;color:${b.color};font-size:12px}
.c{font:bold 15px/1.2 "Courier New",monospace;letter-spacing:.5px}
svg{flex:none;width:24mm;height:24mm;margin-top:3mm}
</style></head><body>
<div class="bar">${esc(title)} · ${sheet.vouchers.length} vouchers <button onclick="print()">Print</button></div>
${pages.join('\n')}
</body></html>`;
}
