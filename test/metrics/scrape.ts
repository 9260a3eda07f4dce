/** Reading the exposition text the way Prometheus would, for the metrics tests. */
import type { Metrics } from '../../src/metrics/index.ts';

/** The value of one sample in the exposition text; 0 when the series is not there (yet). */
export function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = m[2] ? m[2].split(/,(?=[a-zA-Z_]\w*=")/) : [];
    if (want.length === have.length && want.every((w) => have.includes(w))) return Number(m[3]);
  }
  return 0;
}

export const scrape = async (m: Metrics) => (await m.render()).body;
