/**
 * Reading subscribers kept elsewhere, detected from the content:
 *  - CSV with a header row: username,password,phone,name,plan,router,due (any order; username
 *    and password required; `,` `;` or tab separated);
 *  - a MikroTik `/ppp secret export`: `add name=… password=… profile=… service=pppoe comment=…`
 *    lines, with `\` continuations and quoted values. The profile is taken as the plan name, the
 *    comment as the name (a Kenyan phone number in it as the phone), remote-address as the static
 *    IP, and `disabled=yes` as a suspended subscriber.
 * Pure: no database. Each row keeps its line number for the report.
 */
import { joinContinuations, parseRosArgs, splitCsv } from '../lib/script-lines.ts';
import { normalizePhone } from '../lib/phone.ts';

export interface ImportRow {
  line: number;
  username: string;
  password: string;
  phone?: string | undefined;
  name?: string | undefined;
  plan?: string | undefined;
  router?: string | undefined;
  due?: string | undefined;
  staticIp?: string | undefined;
  suspended?: boolean;
}
export interface ImportLineProblem {
  line: number;
  reason: string;
}
export interface ParsedSubscriberImport {
  format: 'csv' | 'mikrotik';
  rows: ImportRow[];
  problems: ImportLineProblem[];
}

const COLUMNS = ['username', 'password', 'phone', 'name', 'plan', 'router', 'due'] as const;
/** The `service=` values a PPPoE login can have in `/ppp secret`. */
const PPPOE_SERVICES = new Set(['pppoe', 'any']);

const phoneIn = (text: string): string | undefined => {
  for (const m of text.matchAll(/\+?\d[\d\s-]{8,15}\d/g)) {
    const p = normalizePhone(m[0]);
    if (p) return p;
  }
  return undefined;
};

export function parseSubscriberImport(text: string): ParsedSubscriberImport {
  const lines = joinContinuations(text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/));
  const isScript = lines.some((l) => /(^|[\s/])add\s.*\bname=/.test(l.text) || /^\s*\/ppp/.test(l.text));
  return isScript ? parseSecrets(lines) : parseCsv(lines);
}

function parseSecrets(lines: { n: number; text: string }[]): ParsedSubscriberImport {
  const out: ParsedSubscriberImport = { format: 'mikrotik', rows: [], problems: [] };
  let inSecrets = true;
  for (const { n, text } of lines) {
    // `/ppp/secret/add` (the v7 path form) reads like `/ppp secret add`.
    const t = text.trim().replace(/^\/(\S+)/, (m) => `/${m.slice(1).replace(/\//g, ' ')}`);
    if (!t || t.startsWith('#')) continue;
    const menu = t.match(/^(\/[\w -]+?)\s*(?:add\s|$)/);
    if (menu?.[1]) inSecrets = menu[1].trim() === '/ppp secret';
    if (!inSecrets || !/(^|\s)add\s/.test(t)) continue;
    const a = parseRosArgs(t.slice(t.search(/(^|\s)add\s/) + 4));
    if (!a.name) {
      out.problems.push({ line: n, reason: 'an add line without name=' });
      continue;
    }
    if (a.service && !PPPOE_SERVICES.has(a.service)) {
      out.problems.push({ line: n, reason: `${a.name}: service=${a.service} is not PPPoE` });
      continue;
    }
    if (!a.password) {
      out.problems.push({ line: n, reason: `${a.name}: no password= (a PPPoE login needs one)` });
      continue;
    }
    const comment = a.comment?.trim();
    out.rows.push({
      line: n,
      username: a.name,
      password: a.password,
      name: comment || undefined,
      phone: comment ? phoneIn(comment) : undefined,
      plan: a.profile && a.profile !== 'default' ? a.profile : undefined,
      staticIp: a['remote-address'] || undefined,
      suspended: a.disabled === 'yes' || a.disabled === 'true',
    });
  }
  return out;
}

function parseCsv(lines: { n: number; text: string }[]): ParsedSubscriberImport {
  const out: ParsedSubscriberImport = { format: 'csv', rows: [], problems: [] };
  const head = lines.find((l) => l.text.trim() !== '');
  if (!head) return out;
  const sep = [',', ';', '\t'].find((s) => head.text.includes(s)) ?? ',';
  const cols = splitCsv(head.text, sep).map((c) => c.toLowerCase());
  const at = Object.fromEntries(COLUMNS.map((c) => [c, cols.indexOf(c)])) as Record<
    (typeof COLUMNS)[number],
    number
  >;
  if (at.username < 0 || at.password < 0) {
    out.problems.push({
      line: head.n,
      reason: `the first row must name the columns: ${COLUMNS.join(',')} (username and password at least)`,
    });
    return out;
  }
  for (const { n, text } of lines) {
    if (n === head.n || !text.trim()) continue;
    const cells = splitCsv(text, sep);
    const cell = (c: (typeof COLUMNS)[number]) => (at[c] >= 0 ? cells[at[c]] || undefined : undefined);
    const username = cell('username');
    const password = cell('password');
    if (!username || !password) {
      out.problems.push({ line: n, reason: 'username and password are both needed' });
      continue;
    }
    out.rows.push({
      line: n,
      username,
      password,
      phone: cell('phone'),
      name: cell('name'),
      plan: cell('plan'),
      router: cell('router'),
      due: cell('due'),
    });
  }
  return out;
}
