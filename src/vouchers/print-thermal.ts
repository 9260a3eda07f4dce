/**
 * Vouchers for 58 mm and 80 mm receipt printers: one ticket after another on the roll, cut between
 * them. As HTML for the browser's print dialog (a page as wide as the roll) and as ESC/POS bytes
 * to send to a USB or Bluetooth printer directly (e.g. with a print-server app on the till phone).
 */
import { EscPos } from '../protocols/escpos/escpos.ts';
import type { BatchSheet } from './batch-sheet.ts';
import { portalUrl } from './format.ts';
import { esc, ticketHtml } from './print-html.ts';
import { qrSvg } from './qr.ts';
import { lineText } from './ticket-template.ts';
import { ticketOf } from './ticket-values.ts';

export type RollWidth = 58 | 80;
/** Printable width and characters per line (font A) of each roll. */
const ROLL = { 58: { mm: 48, chars: 32, qr: 5 }, 80: { mm: 72, chars: 48, qr: 6 } } as const;

export function renderThermalHtml(sheet: BatchSheet, width: RollWidth): string {
  const b = sheet.branding;
  const r = ROLL[width];
  const tickets = sheet.vouchers.map(
    (v) =>
      `<section class="t">${ticketHtml(ticketOf(sheet, v), () => qrSvg(portalUrl(sheet.publicUrl, v.code), 120))}</section>`,
  );
  const title = `${b.name} vouchers · ${sheet.plan.name} · ${width} mm`;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>
@page{size:${width}mm auto;margin:0}
*{box-sizing:border-box}body{margin:0;font:12px/1.3 Arial,Helvetica,sans-serif;color:#000}
.bar{padding:8px;font-size:13px}@media print{.bar{display:none}}
.t{width:${r.mm}mm;margin:0 auto;padding:3mm 0 4mm;text-align:center;border-bottom:1px dashed #000;break-after:page}
.l{overflow-wrap:anywhere}.b{font-weight:bold;font-size:14px}
.c{font:bold 20px/1.5 "Courier New",monospace}
svg{display:block;margin:1mm auto;width:${Math.min(r.mm, 36)}mm;height:${Math.min(r.mm, 36)}mm}
</style></head><body>
<div class="bar">${esc(title)} · ${sheet.vouchers.length} voucher(s) <button onclick="print()">Print</button></div>
${tickets.join('\n')}
</body></html>`;
}

/** Cut to the roll's line width, so a long business name does not wrap mid-word on paper. */
const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}~` : s);

/** Split a long code line into lines of at most n characters (a printer wraps mid-code anyway). */
const wrap = (s: string, n: number) => s.match(new RegExp(`.{1,${n}}`, 'g')) ?? [''];

export function renderThermalEscPos(sheet: BatchSheet, width: RollWidth): Buffer {
  const r = ROLL[width];
  const p = new EscPos().init();
  for (const v of sheet.vouchers) {
    p.align('center');
    for (const l of ticketOf(sheet, v)) {
      if (l.qr) {
        p.qr(portalUrl(sheet.publicUrl, v.code), r.qr);
        continue;
      }
      // A line with the code or password prints double size (half as many characters fit, and
      // it is never clipped: a cut code is useless); one with the business name bold.
      const big = l.runs.some((x) => x.style === 'code');
      const bold = big || l.runs.some((x) => x.style === 'business');
      const text = lineText(l).replace(/·/g, '-');
      p.bold(bold).size(big);
      if (big) for (const part of wrap(text, r.chars / 2)) p.line(part);
      else p.line(clip(text, r.chars));
      p.size(false).bold(false);
    }
    p.cut();
  }
  return p.bytes();
}
