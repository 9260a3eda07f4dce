/**
 * GSM 03.38 default alphabet. A message made only of these characters fits 160 to one SMS; a
 * single other character (an emoji, a curly quote) switches the whole message to UCS-2 and 70
 * characters, which doubles or triples what the operator pays.
 */
const BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
/** Characters of the extension table: each costs two septets. */
const EXTENDED = '^{}\\[~]|€\f';

const basic = new Set(BASIC);
const extended = new Set(EXTENDED);

export function isGsm7(text: string): boolean {
  for (const ch of text) if (!basic.has(ch) && !extended.has(ch)) return false;
  return true;
}

/** Length in septets (what the 160 limit counts), or null if the text is not GSM-7. */
export function gsm7Length(text: string): number | null {
  let n = 0;
  for (const ch of text) {
    if (basic.has(ch)) n += 1;
    else if (extended.has(ch)) n += 2;
    else return null;
  }
  return n;
}

/** Replace what GSM-7 cannot carry with close ASCII (curly quotes, dashes) or drop it. */
export function toGsm7(text: string): string {
  const map: Record<string, string> = {
    '\u2018': "'",
    '\u2019': "'",
    '\u201C': '"',
    '\u201D': '"',
    '\u2013': '-',
    '\u2014': '-',
    '\u2026': '...',
    '\u00A0': ' ',
  };
  let out = '';
  for (const ch of text) {
    const c = map[ch] ?? ch;
    if (isGsm7(c)) out += c;
  }
  return out;
}
