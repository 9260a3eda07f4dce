/**
 * The operator's voucher template: plain text, one line per printed line, with a fixed set of
 * {{placeholders}}. It is text, not markup: every character the operator types is printed as
 * typed (HTML-escaped on the print pages), so a template cannot inject a tag or a script, and
 * the look of each part comes from the placeholder, not from the template (the business name is
 * bold in the brand colour, the code and password large). Pure: no database, no I/O.
 *
 * One rule makes a single template fit every voucher: a line, or a part of a line between
 * ` · ` separators, whose placeholders all have no value for this voucher is left out. So
 * "Password: {{password}}" appears only on vouchers with their own password, "Use by {{expires}}"
 * only when the batch has a date, and "{{price}} · {{duration}} · {{data}}" loses " · " with the
 * data part on an unlimited plan.
 */
import { AppError } from '../lib/errors.ts';

export const PLACEHOLDERS = {
  business: 'Business name (Settings → Branding), bold in the brand colour',
  plan: 'Plan name',
  price: 'Plan price, e.g. KES 50',
  duration: 'Time, e.g. "3 hours"; "online" added for plans that count time online',
  data: 'Data cap, e.g. 1 GB (empty when unlimited)',
  devices: 'Devices at once, e.g. 2 devices (empty for one)',
  code: 'The code to type, large; for a voucher with its own password, its username',
  password: 'The voucher’s own password, large (empty when the code is the password)',
  expires: 'Use-by date, e.g. 2026-12-31 (empty when the batch has none)',
  support_phone: 'Support phone from Branding (empty when not set)',
  portal_url: 'The address the QR code opens: the portal with the code filled in',
  qr: 'The QR code of that address; on a line of its own (on A4 it sits at the ticket’s right)',
} as const;

export type Placeholder = keyof typeof PLACEHOLDERS;
export type TicketValues = Record<Exclude<Placeholder, 'qr'>, string>;

export const DEFAULT_TEMPLATE = [
  '{{business}}',
  '{{plan}}',
  '{{price}} · {{duration}} · {{data}} · {{devices}}',
  '{{code}}',
  'Password: {{password}}',
  '{{qr}}',
  'Use by {{expires}} · Help {{support_phone}}',
].join('\n');

export const MAX_TEMPLATE_CHARS = 1000;
export const MAX_TEMPLATE_LINES = 20;
const SEPARATOR = ' · ';

type Token = { text: string } | { ph: Exclude<Placeholder, 'qr'> };
export type TemplateLine = { qr: true } | { qr: false; parts: Token[][] };
/** A checked template: what the renderers below take. */
export interface TicketTemplate {
  text: string;
  lines: TemplateLine[];
}

/** How a run of printed text looks; set by the placeholder it came from. */
export type RunStyle = 'text' | 'business' | 'code';
export interface Run {
  text: string;
  style: RunStyle;
}
export type TicketLine = { qr: true } | { qr: false; runs: Run[] };

const fail = (message: string) => new AppError('validation', `template: ${message}`);

/**
 * Check and parse. Refused, in words naming the problem: an unknown placeholder, a `{{` without
 * its `}}`, {{qr}} sharing a line or given twice, too long.
 */
export function parseTemplate(text: string): TicketTemplate {
  const src = text.replace(/\r\n?/g, '\n');
  if (!src.trim()) throw fail('it is empty; put at least {{code}} in it');
  if (src.length > MAX_TEMPLATE_CHARS) throw fail(`longer than ${MAX_TEMPLATE_CHARS} characters`);
  const rows = src.split('\n');
  if (rows.length > MAX_TEMPLATE_LINES) throw fail(`more than ${MAX_TEMPLATE_LINES} lines`);
  let qrs = 0;
  let codes = 0;
  const lines = rows.map((row, i): TemplateLine => {
    const tokens = tokenize(row, i + 1);
    const qrHere = tokens.filter((t) => 'ph' in t && (t.ph as string) === 'qr').length;
    if (qrHere) {
      qrs += qrHere;
      if (qrs > 1) throw fail('{{qr}} can appear only once');
      if (tokens.some((t) => ('text' in t ? t.text.trim() : (t.ph as string) !== 'qr')))
        throw fail(`{{qr}} must be on a line of its own (line ${i + 1})`);
      return { qr: true };
    }
    codes += tokens.filter((t) => 'ph' in t && t.ph === 'code').length;
    return { qr: false, parts: splitParts(tokens) };
  });
  if (codes === 0) throw fail('{{code}} is missing; a voucher without its code cannot be used');
  return { text: src, lines };
}

function tokenize(row: string, lineNo: number): Token[] {
  const out: Token[] = [];
  let rest = row;
  for (;;) {
    const open = rest.indexOf('{{');
    const close = rest.indexOf('}}');
    if (open < 0) {
      if (close >= 0) throw fail(`"}}" without its "{{" on line ${lineNo}`);
      if (rest) out.push({ text: rest });
      return out;
    }
    if (close >= 0 && close < open) throw fail(`"}}" without its "{{" on line ${lineNo}`);
    const end = rest.indexOf('}}', open + 2);
    if (end < 0) throw fail(`"{{" without its closing "}}" on line ${lineNo}`);
    const name = rest.slice(open + 2, end).trim();
    if (!Object.hasOwn(PLACEHOLDERS, name))
      throw fail(
        `unknown placeholder {{${name}}} on line ${lineNo}; the placeholders are ${Object.keys(PLACEHOLDERS)
          .map((p) => `{{${p}}}`)
          .join(', ')}`,
      );
    if (open > 0) out.push({ text: rest.slice(0, open) });
    out.push({ ph: name as Exclude<Placeholder, 'qr'> });
    rest = rest.slice(end + 2);
  }
}

/** Split a line's tokens at each literal ` · `, keeping the separators out of the parts. */
function splitParts(tokens: Token[]): Token[][] {
  const parts: Token[][] = [[]];
  for (const t of tokens) {
    if (!('text' in t)) {
      parts.at(-1)!.push(t);
      continue;
    }
    const pieces = t.text.split(SEPARATOR);
    pieces.forEach((p, i) => {
      if (i > 0) parts.push([]);
      if (p) parts.at(-1)!.push({ text: p });
    });
  }
  return parts;
}

const styleOf = (ph: Placeholder): RunStyle =>
  ph === 'business' ? 'business' : ph === 'code' || ph === 'password' ? 'code' : 'text';

/** The template filled in for one voucher, with the leave-out rule applied. */
export function fillTemplate(t: TicketTemplate, v: TicketValues): TicketLine[] {
  const out: TicketLine[] = [];
  for (const line of t.lines) {
    if (line.qr) {
      out.push(line);
      continue;
    }
    const kept = line.parts.filter((part) => {
      const phs = part.filter((x): x is { ph: Exclude<Placeholder, 'qr'> } => 'ph' in x);
      return phs.length === 0 || phs.some((x) => v[x.ph] !== '');
    });
    const hadPlaceholders = line.parts.some((p) => p.some((x) => 'ph' in x));
    if (hadPlaceholders && kept.length === 0) continue;
    const runs: Run[] = [];
    kept.forEach((part, i) => {
      if (i > 0) runs.push({ text: SEPARATOR, style: 'text' });
      for (const x of part)
        runs.push('ph' in x ? { text: v[x.ph], style: styleOf(x.ph) } : { text: x.text, style: 'text' });
    });
    out.push({ qr: false, runs });
  }
  return out;
}

/** A line as plain text (receipt printers, PDF). */
export const lineText = (l: { runs: Run[] }) => l.runs.map((r) => r.text).join('');
