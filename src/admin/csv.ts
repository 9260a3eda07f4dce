/**
 * CSV exports stream page by page (keyset) so a million rows never sit in memory at once. Cells
 * that a spreadsheet would treat as a formula are prefixed with a quote (CSV injection).
 */
import { Readable } from 'node:stream';

export function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  let s = v instanceof Date ? v.toISOString() : String(v);
  if (/^[=+\-@\t\r]/.test(s) && !/^-?\d+(\.\d+)?$/.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export const csvLine = (cells: unknown[]) => `${cells.map(csvCell).join(',')}\r\n`;

export function csvStream(header: string[], pages: () => AsyncGenerator<unknown[][]>): Readable {
  return Readable.from(
    (async function* () {
      yield csvLine(header);
      for await (const rows of pages()) {
        if (rows.length) yield rows.map(csvLine).join('');
      }
    })(),
  );
}
