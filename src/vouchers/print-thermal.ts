/**
 * Vouchers for 58 mm and 80 mm receipt printers: one ticket after another on the roll, cut between
 * them. As HTML for the browser's print dialog (a page as wide as the roll) and as ESC/POS bytes
 * to send to a USB or Bluetooth printer directly (e.g. with a print-server app on the till phone).
 */
import { EscPos } from '../protocols/escpos/escpos.ts';
import type { BatchSheet } from './batch-sheet.ts';
import { groupCode, portalUrl } from './format.ts';
import { esc, ticketLines } from './print-html.ts';
import { qrSvg } from './qr.ts';

export type RollWidth = 58 | 80;
/** Printable width and characters per line (font A) of each roll. */
const ROLL = { 58: { mm: 48, chars: 32, qr: 5 }, 80: { mm: 72, chars: 48, qr: 6 } } as const;

export function renderThermalHtml(sheet: BatchSheet, width: RollWidth): string {
  const l = ticketLines(sheet);
  const b = sheet.branding;
  const r = ROLL[width];
  const tickets = sheet.vouchers.map(
    (v) => `<section class="t"><div class="b">${esc(b.name)}</div><div class="p">${esc(l.plan)}</div>
<div>${esc(l.price)} · ${esc(l.duration)}</div><div class="c">${esc(groupCode(v.code))}</div>
${qrSvg(portalUrl(sheet.publicUrl, v.code), 120)}<div class="f">${esc(l.footer)}</div></section>`,
  );
  const title = `${b.name} vouchers · ${l.plan} · ${width} mm`;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>
@page{size:${width}mm auto;margin:0}
*{box-sizing:border-box}body{margin:0;font:12px/1.3 Arial,Helvetica,sans-serif;color:#000}
.bar{padding:8px;font-size:13px}@media print{.bar{display:none}}
.t{width:${r.mm}mm;margin:0 auto;padding:3mm 0 4mm;text-align:center;border-bottom:1px dashed #000;break-after:page}
.b{font-weight:bold;font-size:14px}.p{font-weight:bold;margin-top:1mm}
.c{font:bold 20px/1.3 "Courier New",monospace;margin:2mm 0}.f{font-size:10px;margin-top:1mm}
svg{width:${Math.min(r.mm, 36)}mm;height:${Math.min(r.mm, 36)}mm}
</style></head><body>
<div class="bar">${esc(title)} · ${sheet.vouchers.length} voucher(s) <button onclick="print()">Print</button></div>
${tickets.join('\n')}
</body></html>`;
}

/** Cut to the roll's line width, so a long business name does not wrap mid-word on paper. */
const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}~` : s);

export function renderThermalEscPos(sheet: BatchSheet, width: RollWidth): Buffer {
  const l = ticketLines(sheet);
  const r = ROLL[width];
  const p = new EscPos().init();
  for (const v of sheet.vouchers) {
    p.align('center').bold(true).line(clip(sheet.branding.name, r.chars)).bold(false);
    p.line(clip(l.plan, r.chars)).line(clip(`${l.price} - ${l.duration.replace(/·/g, '-')}`, r.chars));
    p.size(true).bold(true).line(groupCode(v.code)).size(false).bold(false);
    p.qr(portalUrl(sheet.publicUrl, v.code), r.qr);
    if (l.footer) p.line(clip(l.footer.replace(/·/g, '-'), r.chars));
    p.cut();
  }
  return p.bytes();
}
