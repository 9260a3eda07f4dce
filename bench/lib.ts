/** Small helpers shared by the bench scripts: percentiles, a plain-text table, a role's environment. */
import { randomBytes } from 'node:crypto';
import { DEMO_APP, DEMO_MERCHANT } from '../src/sim/daraja/types.ts';
export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export function summarize(samplesMs: number[]) {
  const s = [...samplesMs].sort((a, b) => a - b);
  return {
    n: s.length,
    p50: percentile(s, 50),
    p95: percentile(s, 95),
    p99: percentile(s, 99),
    max: s.at(-1) ?? 0,
  };
}

export function table(rows: Record<string, string | number>[]): string {
  if (!rows.length) return '';
  const cols = Object.keys(rows[0]!);
  const fmt = (v: string | number) =>
    typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(2)) : v;
  const width = cols.map((c) => Math.max(c.length, ...rows.map((r) => fmt(r[c] ?? '').length)));
  const line = (vals: string[]) => `| ${vals.map((v, i) => v.padEnd(width[i]!)).join(' | ')} |`;
  return [
    line(cols),
    line(width.map((w) => '-'.repeat(w))),
    ...rows.map((r) => line(cols.map((c) => fmt(r[c] ?? '')))),
  ].join('\n');
}

/**
 * The environment of a Wavu role in production mode against the Daraja simulator's demo merchant:
 * fresh secrets, no SMS, RADIUS on ephemeral ports (a role that needs fixed ones sets its own).
 */
export function productionEnv(o: {
  dataDir: string;
  databaseUrl: string;
  publicUrl: string;
  mpesaBaseUrl: string;
}): Record<string, string> {
  return {
    WAVU_MODE: 'production',
    WAVU_DATA_DIR: o.dataDir,
    DATABASE_URL: o.databaseUrl,
    HOST: '127.0.0.1',
    PUBLIC_URL: o.publicUrl,
    SECRET_KEY: randomBytes(32).toString('hex'),
    MPESA_BASE_URL: o.mpesaBaseUrl,
    MPESA_CONSUMER_KEY: DEMO_APP.consumerKey,
    MPESA_CONSUMER_SECRET: DEMO_APP.consumerSecret,
    MPESA_SHORTCODE: DEMO_MERCHANT.shortcode,
    MPESA_PASSKEY: DEMO_MERCHANT.passkey,
    // Hex never spells a word Daraja refuses in callback URLs.
    MPESA_CALLBACK_SECRET: randomBytes(16).toString('hex'),
    SMS_PROVIDER: 'none',
    RADIUS_AUTH_PORT: '0',
    RADIUS_ACCT_PORT: '0',
    LOG_LEVEL: 'info',
  };
}
