/**
 * Human-readable log lines for a terminal (demo): "09:00:01 WARN  worker  job failed  kind=sms.send".
 * pino still builds (and redacts) each record as JSON; this only reformats the finished line, so
 * what a terminal shows is exactly what production would log, minus the noise.
 */
import type { DestinationStream } from 'pino';

const LEVELS: Record<number, [string, string]> = {
  10: ['TRACE', '\x1b[90m'],
  20: ['DEBUG', '\x1b[36m'],
  30: ['INFO ', '\x1b[32m'],
  40: ['WARN ', '\x1b[33m'],
  50: ['ERROR', '\x1b[31m'],
  60: ['FATAL', '\x1b[35m'],
};
/** Fields every line has, or that the layout already shows. */
const SKIP = new Set(['level', 'time', 'pid', 'hostname', 'msg', 'component', 'err', 'error']);

const show = (v: unknown): string => {
  if (typeof v === 'string') return /[\s="]/.test(v) ? JSON.stringify(v) : v;
  return JSON.stringify(v);
};

export function formatLogLine(line: string, color = false): string {
  let r: Record<string, unknown>;
  try {
    r = JSON.parse(line);
  } catch {
    return line.endsWith('\n') ? line : `${line}\n`;
  }
  const [name, tint] = LEVELS[Number(r.level)] ?? ['LOG  ', ''];
  const time = new Date(Number(r.time ?? Date.now())).toISOString().slice(11, 19);
  const paint = (s: string) => (color && tint ? `${tint}${s}\x1b[0m` : s);
  const parts = [time, paint(name)];
  if (r.component) parts.push(`[${r.component}]`);
  parts.push(String(r.msg ?? ''));
  const fields = Object.entries(r)
    .filter(([k, v]) => !SKIP.has(k) && v !== undefined)
    .map(([k, v]) => `${k}=${show(v)}`);
  let out = `${parts.join(' ')}${fields.length ? `  ${fields.join(' ')}` : ''}\n`;
  const err = (r.err ?? r.error) as { message?: string; stack?: string } | undefined;
  if (err && typeof err === 'object') {
    // The stack for errors and worse; a warning's message is enough to act on.
    const text = Number(r.level) >= 50 && err.stack ? err.stack : (err.message ?? show(err));
    out += `${text.replace(/^/gm, '    ')}\n`;
  }
  return out;
}

export function prettyStream(
  out: NodeJS.WritableStream & { isTTY?: boolean } = process.stdout,
): DestinationStream {
  const color = out.isTTY === true;
  return { write: (line: string) => void out.write(formatLogLine(line, color)) };
}
