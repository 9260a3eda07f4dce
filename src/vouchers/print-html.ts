/**
 * The printable sheet as HTML: A4, 3 × 8 tickets per page, each with the business name, plan,
 * price, duration, the code and a QR code that opens the portal with the code filled in.
 * Everything is inline (no fonts, no images to fetch) so it prints the same offline.
 */
import { formatKes } from '../lib/money.ts';
import type { BatchSheet } from './batch-sheet.ts';
import { formatBytes, formatDuration, groupCode, portalUrl } from './format.ts';
import { qrSvg } from './qr.ts';

export const PER_PAGE = 24;

export const esc = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export function ticketLines(sheet: BatchSheet): {
  plan: string;
  price: string;
  duration: string;
  footer: string;
} {
  const p = sheet.plan;
  const duration = `${formatDuration(p.durationSeconds)}${p.clock === 'uptime' ? ' online' : ''}${
    p.dataCapBytes ? ` · ${formatBytes(p.dataCapBytes)}` : ''
  }${p.devices > 1 ? ` · ${p.devices} devices` : ''}`;
  const footer = [
    sheet.validUntil ? `Use by ${sheet.validUntil.toISOString().slice(0, 10)}` : null,
    sheet.branding.supportPhone ? `Help ${sheet.branding.supportPhone}` : null,
  ]
    .filter(Boolean)
    .join(' · ');
  return { plan: p.name, price: formatKes(p.priceKes), duration, footer };
}

export function renderSheetHtml(sheet: BatchSheet): string {
  const l = ticketLines(sheet);
  const b = sheet.branding;
  const tickets = sheet.vouchers.map(
    (v) => `<div class="t"><div class="b">${esc(b.name)}</div><div class="r"><div class="i">
<div class="p">${esc(l.plan)}</div><div class="k">${esc(l.price)} · ${esc(l.duration)}</div>
<div class="c">${esc(groupCode(v.code))}</div><div class="f">${esc(l.footer)}</div></div>
${qrSvg(portalUrl(sheet.publicUrl, v.code), 84)}</div></div>`,
  );
  const pages: string[] = [];
  for (let i = 0; i < tickets.length; i += PER_PAGE) {
    pages.push(`<section class="pg">${tickets.slice(i, i + PER_PAGE).join('')}</section>`);
  }
  const title = `${b.name} vouchers · ${l.plan}${sheet.label ? ` · ${sheet.label}` : ''}`;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>
@page{size:A4;margin:7mm}
*{box-sizing:border-box}body{margin:0;font:11px/1.25 Arial,Helvetica,sans-serif;color:#111}
.bar{padding:8px;font-size:13px}.bar button{font-size:13px}@media print{.bar{display:none}}
.pg{display:grid;grid-template-columns:repeat(3,1fr);grid-auto-rows:35.3mm;width:196mm;break-after:page}
.t{border:1px dashed #aaa;padding:2mm 2.5mm;overflow:hidden}
.b{font-weight:bold;color:${b.color};font-size:12px;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.r{display:flex;justify-content:space-between;align-items:flex-start;gap:1mm}.i{min-width:0}
.p{font-weight:bold;margin-top:1mm}.k{font-size:10px}.f{font-size:8px;color:#444;margin-top:1mm}
.c{font:bold 15px/1.2 "Courier New",monospace;letter-spacing:.5px;margin-top:1.5mm}
svg{flex:none;width:24mm;height:24mm}
</style></head><body>
<div class="bar">${esc(title)} · ${sheet.vouchers.length} vouchers <button onclick="print()">Print</button></div>
${pages.join('\n')}
</body></html>`;
}
