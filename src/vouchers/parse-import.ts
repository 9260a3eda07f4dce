/**
 * Reading voucher codes made elsewhere. Accepted, detected from the content:
 *  - a MikroTik script (`/ip hotspot user add name=K7Q2M9 password=K7Q2M9 profile=1h …`, also the
 *    `/ip/hotspot/user` and user-manager `username=` forms, with `\` line continuations);
 *  - CSV with a header naming the code column (`code`, `name`, `username`, `user`, `voucher`,
 *    `pin`), e.g. the name,password,profile exports of voucher tools; `,` `;` or tab separated;
 *  - a plain list, one code per line.
 * A username with a different password (Mikhmon's user/password vouchers) keeps both: the
 * username is the code, and the customer logs in with the pair.
 * Every line that is not imported is reported with its number and the reason; nothing is
 * dropped silently. Pure: no database here.
 */
import { normalizeCode } from '../access/index.ts';
import { joinContinuations, parseRosArgs, splitCsv } from '../lib/script-lines.ts';

export { parseRosArgs };

export interface ImportEntry {
  line: number;
  code: string;
  /** Set only when it differs from the code (compared normalised, as logins are). */
  password?: string;
}
export interface ImportProblem {
  line: number;
  value: string;
  reason: string;
}
export interface ParsedImport {
  format: 'mikrotik' | 'csv' | 'list';
  entries: ImportEntry[];
  problems: ImportProblem[];
}

export const MIN_IMPORT_LENGTH = 6;
const VALID = /^[A-Z0-9]+$/;
const CODE_COLUMNS = ['code', 'name', 'username', 'user', 'voucher', 'pin'];
/** Users RouterOS creates itself; every voucher tool skips them. */
const BUILT_IN = new Set(['default-trial', 'admin']);

export function parseVoucherFile(text: string): ParsedImport {
  const lines = joinContinuations(text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/));
  const isScript = lines.some((l) => /(^|[\s/])add\s.*\b(name|username)=/.test(l.text));
  const out: ParsedImport = { format: isScript ? 'mikrotik' : 'list', entries: [], problems: [] };
  const seen = new Map<string, number>();

  const accept = (line: number, value: string, password?: string) => {
    const raw = value.trim();
    if (BUILT_IN.has(raw)) return;
    // Kept as written (uppercased, spaces and dashes dropped) for printing and SMS; compared in
    // normalised form (O→0, I/L→1), which is also how it is hashed and how typed codes are read.
    const code = raw.toUpperCase().replace(/[\s-]/g, '');
    const key = normalizeCode(code);
    const pw = password?.trim() ?? '';
    const ownPassword = pw !== '' && normalizeCode(pw) !== key;
    if (ownPassword && (pw.length > 64 || /[\s\p{Cc}]/u.test(pw))) {
      out.problems.push({ line, value: raw, reason: 'a password must be up to 64 characters, no spaces' });
      return;
    }
    if (!VALID.test(code)) {
      out.problems.push({ line, value: raw, reason: 'only letters and digits can be part of a code' });
      return;
    }
    if (code.length < MIN_IMPORT_LENGTH || code.length > 32) {
      out.problems.push({
        line,
        value: raw,
        reason: `a code must be ${MIN_IMPORT_LENGTH} to 32 characters (shorter ones are easy to guess)`,
      });
      return;
    }
    const first = seen.get(key);
    if (first !== undefined) {
      out.problems.push({ line, value: raw, reason: `duplicate of line ${first} in this file` });
      return;
    }
    seen.set(key, line);
    out.entries.push(ownPassword ? { line, code, password: pw } : { line, code });
  };

  if (isScript) {
    let inUserMenu = false;
    let sawMenu = false;
    for (const { n, text: l } of lines) {
      // `/ip/hotspot/user/add` (v7 path form) reads like `/ip hotspot user add`.
      const t = l.trim().replace(/^\/(\S+)/, (m) => `/${m.slice(1).replace(/\//g, ' ')}`);
      if (!t || t.startsWith('#')) continue;
      const menu = t.match(/^(\/[\w/ -]+?)\s*(?:add\s|$)/);
      if (menu?.[1]) {
        sawMenu = true;
        inUserMenu = /(hotspot user|user-manager user)$/.test(menu[1].trim());
      }
      if (!/(^|\s)add\s/.test(t)) continue;
      // A bare `add` belongs to the last menu line; with no menu line at all, assume users.
      if (!inUserMenu && sawMenu) continue;
      const args = parseRosArgs(t.slice(t.search(/(^|\s)add\s/) + 4));
      const name = args.name ?? args.username;
      if (name === undefined) {
        out.problems.push({ line: n, value: t.slice(0, 60), reason: 'an add line without name=' });
        continue;
      }
      accept(n, name, args.password);
    }
    return out;
  }

  const firstData = lines.find((l) => l.text.trim() !== '');
  const sep = firstData ? detectSeparator(firstData.text) : null;
  if (firstData && sep) {
    const head = splitCsv(firstData.text, sep).map((h) => h.trim().toLowerCase());
    const col = CODE_COLUMNS.map((c) => head.indexOf(c)).find((i) => i >= 0);
    if (col !== undefined) {
      out.format = 'csv';
      const pw = head.indexOf('password');
      for (const { n, text: l } of lines) {
        if (l === firstData.text && n === firstData.n) continue;
        if (!l.trim()) continue;
        const cells = splitCsv(l, sep);
        const v = cells[col] ?? '';
        if (!v.trim()) {
          out.problems.push({ line: n, value: l.slice(0, 60), reason: 'no code in this row' });
          continue;
        }
        accept(n, v, pw >= 0 ? cells[pw] : undefined);
      }
      return out;
    }
  }
  for (const { n, text: l } of lines) {
    const t = l.trim();
    if (!t || t.startsWith('#')) continue;
    accept(n, t);
  }
  return out;
}

function detectSeparator(line: string): string | null {
  for (const s of [',', ';', '\t']) if (line.includes(s)) return s;
  // A one-column CSV: a lone header word naming the code column.
  return CODE_COLUMNS.includes(line.trim().toLowerCase()) ? ',' : null;
}
