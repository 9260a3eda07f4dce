/**
 * The printable sheet as PDF (A4, 3 × 8 tickets per page), drawn with pdfkit's built-in fonts.
 * QR codes are drawn as vector squares from the QR matrix, so they stay sharp at any printer
 * resolution and the file stays small.
 */
import type { BatchSheet } from './batch-sheet.ts';
import { portalUrl } from './format.ts';
import { qrMatrix } from './qr.ts';
import { lineText } from './ticket-template.ts';
import { ticketOf } from './ticket-values.ts';

const A4 = { w: 595.28, h: 841.89 };
const MARGIN = 20;
const COLS = 3;
const ROWS = 8;
const QR = 84;

/** The standard PDF fonts only carry Latin-1; anything else would print as garbage. */
const latin1 = (s: string) => s.replace(/[^\x20-\x7E\xA0-\xFF]/g, '');

/** Where ticket `i` (0-based) sits: 1-based page and its box in points from the top left. */
export function ticketBox(i: number): { page: number; x: number; y: number; w: number; h: number } {
  const w = (A4.w - 2 * MARGIN) / COLS;
  const h = (A4.h - 2 * MARGIN) / ROWS;
  const slot = i % (COLS * ROWS);
  return {
    page: Math.floor(i / (COLS * ROWS)) + 1,
    x: MARGIN + (slot % COLS) * w,
    y: MARGIN + Math.floor(slot / COLS) * h,
    w,
    h,
  };
}

export async function renderSheetPdf(sheet: BatchSheet): Promise<Buffer> {
  // pdfkit and its fonts are the heaviest package we use: loaded by the first sheet, not at start.
  const { default: PDFDocument } = await import('pdfkit');
  const doc = new PDFDocument({
    size: 'A4',
    margin: 0,
    autoFirstPage: false,
    info: { Title: latin1(`${sheet.branding.name} vouchers - ${sheet.plan.name}`), Producer: 'Wavu' },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  const { w: cw, h: ch } = ticketBox(0);
  const pad = 7;

  let pages = 0;
  sheet.vouchers.forEach((v, i) => {
    const { page, x, y } = ticketBox(i);
    if (page > pages) {
      doc.addPage();
      pages = page;
    }
    doc
      .save()
      .lineWidth(0.5)
      .dash(3, { space: 3 })
      .strokeColor('#aaaaaa')
      .rect(x, y, cw, ch)
      .stroke()
      .restore();
    const lines = ticketOf(sheet, v);
    const hasQr = lines.some((l) => l.qr);
    const textW = cw - 2 * pad - (hasQr ? QR - 4 : 0);
    let top = y + pad;
    for (const l of lines) {
      if (l.qr) continue; // on A4 the QR code sits at the ticket's right, as on the HTML sheet
      // Each line in the look of its strongest part: the code large, the business name in colour.
      const kind = l.runs.some((r) => r.style === 'code')
        ? { font: 'Courier-Bold', size: 12, color: '#000000', h: 15 }
        : l.runs.some((r) => r.style === 'business')
          ? { font: 'Helvetica-Bold', size: 10, color: sheet.branding.color, h: 13 }
          : { font: 'Helvetica', size: 7.5, color: '#111111', h: 10 };
      if (top + kind.h > y + ch - 3) break;
      doc
        .font(kind.font)
        .fontSize(kind.size)
        .fillColor(kind.color)
        .text(latin1(lineText(l).replace(/·/g, '-')), x + pad, top, {
          width: textW,
          height: kind.h,
          lineBreak: false,
          ellipsis: true,
        });
      top += kind.h;
    }
    if (hasQr) drawQr(doc, portalUrl(sheet.publicUrl, v.code), x + cw - pad - QR + 3, y + 14, QR);
  });
  if (sheet.vouchers.length === 0) doc.addPage();
  doc.end();
  return done;
}

function drawQr(doc: PDFKit.PDFDocument, text: string, x: number, y: number, size: number): void {
  const m = qrMatrix(text);
  const quiet = 4;
  const cell = size / (m.size + 2 * quiet);
  doc.save().rect(x, y, size, size).fill('#ffffff');
  for (let r = 0; r < m.size; r++) {
    for (let c = 0; c < m.size; c++) {
      // A hair of overlap closes the seams some viewers draw between touching squares.
      if (m.dark(c, r)) doc.rect(x + (c + quiet) * cell, y + (r + quiet) * cell, cell + 0.05, cell + 0.05);
    }
  }
  doc.fill('#000000').restore();
}
