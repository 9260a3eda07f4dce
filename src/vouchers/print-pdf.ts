/**
 * The printable sheet as PDF (A4, 3 × 8 tickets per page), drawn with pdfkit's built-in fonts.
 * QR codes are drawn as vector squares from the QR matrix, so they stay sharp at any printer
 * resolution and the file stays small.
 */
import PDFDocument from 'pdfkit';
import type { BatchSheet } from './batch-sheet.ts';
import { groupCode, portalUrl } from './format.ts';
import { ticketLines } from './print-html.ts';
import { qrMatrix } from './qr.ts';

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

export function renderSheetPdf(sheet: BatchSheet): Promise<Buffer> {
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

  const l = ticketLines(sheet);
  const { w: cw, h: ch } = ticketBox(0);
  const name = latin1(sheet.branding.name);
  const info = latin1(`${l.price} - ${l.duration.replace(/·/g, '-')}`);
  const footer = latin1(l.footer.replace(/·/g, '-'));

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
    const pad = 7;
    const textW = cw - 2 * pad - QR - 4;
    doc
      .fillColor(sheet.branding.color)
      .font('Helvetica-Bold')
      .fontSize(10)
      .text(name, x + pad, y + pad, { width: cw - 2 * pad, height: 12, lineBreak: false, ellipsis: true });
    doc.fillColor('#111111').font('Helvetica-Bold').fontSize(9);
    doc.text(latin1(l.plan), x + pad, y + 22, { width: textW, height: 11, lineBreak: false, ellipsis: true });
    doc
      .font('Helvetica')
      .fontSize(7.5)
      .text(info, x + pad, y + 34, { width: textW, height: 20 });
    doc
      .font('Helvetica')
      .fontSize(6.5)
      .fillColor('#555555')
      .text('CODE', x + pad, y + 54, { width: textW });
    doc
      .font('Courier-Bold')
      .fontSize(12)
      .fillColor('#000000')
      .text(groupCode(v.code), x + pad, y + 62, {
        width: textW + 4,
        lineBreak: false,
      });
    if (footer) {
      doc
        .font('Helvetica')
        .fontSize(6)
        .fillColor('#444444')
        .text(footer, x + pad, y + ch - 14, {
          width: textW,
          height: 8,
          lineBreak: false,
          ellipsis: true,
        });
    }
    drawQr(doc, portalUrl(sheet.publicUrl, v.code), x + cw - pad - QR + 3, y + 14, QR);
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
