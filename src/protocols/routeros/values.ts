/** RouterOS value formats: durations `1w2d3h4m5s`, booleans `true`/`false`, MACs upper-case. */

const UNITS: Record<string, number> = { w: 604800, d: 86400, h: 3600, m: 60, s: 1 };

/** Seconds from `1h30m`, `90` (plain seconds), `01:30:00`, `none`/`0s` (0). Null if unreadable. */
export function parseDuration(v: string): number | null {
  const s = v.trim();
  if (s === '' || s === 'none') return 0;
  if (/^\d+$/.test(s)) return Number(s);
  const hms = /^(?:(\d+)d\s*)?(\d+):(\d\d):(\d\d)$/.exec(s);
  if (hms) return Number(hms[1] ?? 0) * 86400 + Number(hms[2]) * 3600 + Number(hms[3]) * 60 + Number(hms[4]);
  if (!/^(\d+[wdhms])+$/.test(s)) return null;
  let total = 0;
  for (const m of s.matchAll(/(\d+)([wdhms])/g)) total += Number(m[1]) * UNITS[m[2]!]!;
  return total;
}

export function formatDuration(seconds: number): string {
  let n = Math.max(0, Math.floor(seconds));
  if (n === 0) return '0s';
  let out = '';
  for (const [u, size] of Object.entries(UNITS)) {
    const q = Math.floor(n / size);
    if (q) out += `${q}${u}`;
    n -= q * size;
  }
  return out;
}

export function parseBool(v: string): boolean | null {
  if (v === 'yes' || v === 'true') return true;
  if (v === 'no' || v === 'false') return false;
  return null;
}

export const MAC_RE = /^[0-9A-F]{2}(:[0-9A-F]{2}){5}$/i;

/** Bytes from `1073741824`, `1G`, `500M`, `10k` (powers of 1024, as RouterOS input does). */
export function parseBytes(v: string): number | null {
  const m = /^(\d+)([kKMG]?)$/.exec(v.trim());
  if (!m) return null;
  const mult = { '': 1, k: 1024, K: 1024, M: 1024 ** 2, G: 1024 ** 3 }[m[2] as '' | 'k' | 'K' | 'M' | 'G'];
  return Number(m[1]) * mult;
}

/** Octal escapes as the hotspot renders binary variables into pages: `\371\015…`. */
export const octalEscape = (b: Buffer): string =>
  [...b].map((x) => `\\${x.toString(8).padStart(3, '0')}`).join('');
