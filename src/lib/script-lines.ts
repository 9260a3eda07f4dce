/**
 * Reading text files people export from other tools (MikroTik scripts, spreadsheets' CSV), for
 * every importer: pure, no knowledge of what the rows mean.
 */

/** Lines with RouterOS `\` continuations joined; each keeps the number of its first line. */
export function joinContinuations(raw: string[]): { n: number; text: string }[] {
  const out: { n: number; text: string }[] = [];
  let cur: { n: number; text: string } | null = null;
  raw.forEach((l, i) => {
    if (cur) cur.text += ` ${l.trim()}`;
    else cur = { n: i + 1, text: l };
    if (/\\\s*$/.test(cur.text)) cur.text = cur.text.replace(/\\\s*$/, '');
    else {
      out.push(cur);
      cur = null;
    }
  });
  if (cur) out.push(cur);
  return out;
}

/** `name=K7Q2M9 password="a b" comment=x` → {name, password, comment}; quotes and \" escapes. */
export function parseRosArgs(s: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /([\w.-]+)=("((?:[^"\\]|\\.)*)"|\S*)/g;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    out[m[1]!] = m[3] !== undefined ? m[3].replace(/\\(.)/g, '$1') : m[2]!;
  }
  return out;
}

/** One CSV line split on `sep`, with "quoted" cells and "" inside quotes; cells trimmed. */
export function splitCsv(line: string, sep: string): string[] {
  const cells: string[] = [];
  let cur = '';
  let q = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (q) {
      if (c === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') q = false;
      else cur += c;
    } else if (c === '"') q = true;
    else if (c === sep) {
      cells.push(cur);
      cur = '';
    } else cur += c;
  }
  cells.push(cur);
  return cells.map((x) => x.trim());
}
