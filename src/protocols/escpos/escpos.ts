/**
 * ESC/POS, the command language of receipt printers (Epson TM and the many 58/80 mm USB and
 * Bluetooth clones): just the commands a voucher needs. Pure bytes, no business rules.
 *
 *   ESC @          initialise           ESC a n      align (0 left, 1 centre)
 *   ESC E n        bold on/off          GS ! n       character size (0x11 = double)
 *   GS ( k …       QR code (model 2: size, error level, store, print)
 *   GS V 66 n      feed n lines and cut (partial cut; printers without a cutter ignore it)
 * Text is sent as plain ASCII: code pages differ between clones, so anything else becomes `?`.
 */
const ESC = 0x1b;
const GS = 0x1d;

export class EscPos {
  private parts: number[] = [];

  init(): this {
    return this.raw(ESC, 0x40);
  }
  align(a: 'left' | 'center'): this {
    return this.raw(ESC, 0x61, a === 'center' ? 1 : 0);
  }
  bold(on: boolean): this {
    return this.raw(ESC, 0x45, on ? 1 : 0);
  }
  size(double: boolean): this {
    return this.raw(GS, 0x21, double ? 0x11 : 0);
  }
  /** One line of text and a line feed. */
  line(text: string): this {
    for (const ch of text) {
      const c = ch.codePointAt(0)!;
      this.parts.push(c >= 0x20 && c < 0x7f ? c : 0x3f);
    }
    return this.raw(0x0a);
  }
  /** A QR code of `data`, `module` dots per square (1–16), error correction M. */
  qr(data: string, module = 5): this {
    const bytes = [...Buffer.from(data, 'ascii')];
    const store = bytes.length + 3;
    return this.raw(GS, 0x28, 0x6b, 4, 0, 0x31, 0x41, 0x32, 0) // model 2
      .raw(GS, 0x28, 0x6b, 3, 0, 0x31, 0x43, module) // module size
      .raw(GS, 0x28, 0x6b, 3, 0, 0x31, 0x45, 0x31) // error correction M
      .raw(GS, 0x28, 0x6b, store & 0xff, store >> 8, 0x31, 0x50, 0x30, ...bytes) // store
      .raw(GS, 0x28, 0x6b, 3, 0, 0x31, 0x51, 0x30); // print
  }
  cut(feed = 3): this {
    return this.raw(GS, 0x56, 66, feed);
  }
  raw(...bytes: number[]): this {
    this.parts.push(...bytes);
    return this;
  }
  bytes(): Buffer {
    return Buffer.from(this.parts);
  }
}
