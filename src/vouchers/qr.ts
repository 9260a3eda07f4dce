import { createRequire } from 'node:module';

// Required on first use (it is CommonJS, so synchronously): only printing needs it, and a process
// that never prints (the worker, RADIUS, most of the server's life) need not hold it.
let qrcode: typeof import('qrcode') | undefined;
const QRCode = () => (qrcode ??= createRequire(import.meta.url)('qrcode') as typeof import('qrcode'));

/** The dark/light module grid of a QR code for `text` (error correction M survives a crease). */
export interface QrMatrix {
  size: number;
  dark(x: number, y: number): boolean;
}

export function qrMatrix(text: string): QrMatrix {
  const q = QRCode().create(text, { errorCorrectionLevel: 'M' });
  const { size, data } = q.modules;
  return { size, dark: (x, y) => data[y * size + x] === 1 };
}

/** An inline SVG (no external image, so the print view works offline), one path of squares. */
export function qrSvg(text: string, px: number, margin = 2): string {
  const m = qrMatrix(text);
  let d = '';
  for (let y = 0; y < m.size; y++) {
    for (let x = 0; x < m.size; x++) if (m.dark(x, y)) d += `M${x + margin} ${y + margin}h1v1h-1z`;
  }
  const n = m.size + 2 * margin;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${px}" height="${px}" viewBox="0 0 ${n} ${n}" shape-rendering="crispEdges" role="img" aria-label="QR code"><rect width="${n}" height="${n}" fill="#fff"/><path d="${d}" fill="#000"/></svg>`;
}
