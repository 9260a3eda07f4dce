/**
 * Fault run: N purchases through the public API against `wavu serve` (behind a balancer),
 * `wavu worker` and `wavu radius` on two nodes by default, all separate processes on a throwaway
 * PostgreSQL database, with the Daraja simulator losing, repeating and delaying callbacks and
 * failing some pushes and queries, customers paying, cancelling, mistyping or ignoring prompts,
 * and `kill -9` of each role at random moments. After reconciliation it prints what the
 * simulator and Wavu each say, and exits 1 if money was lost or credited twice, anything is
 * stuck, a job died, or a paid customer never got online.
 *
 *   node --import tsx bench/chaos.ts [--n 1000] [--kills 30] [--seed 1] [--concurrency 16] [--nodes 2]
 *                                    [--no-c2b] [--keep-logs]
 *
 * By default the Paybill has C2B URLs registered, so Daraja also sends each paid push as a C2B
 * confirmation; --no-c2b leaves the STK callback and STK Query as the only signals.
 *
 * PostgreSQL: TEST_DATABASE_URL, else DATABASE_URL, else postgres://postgres@127.0.0.1:5432/test.
 * Real clock and Wavu's real STK Query schedule (+20/45/70/95 s, expiry at +110 s) unless
 * --query-at / --expire-after say otherwise.
 */
import { parseArgs } from 'node:util';
import { summarize, table } from './lib.ts';
import { type ChaosReport, removeLogs, runChaos } from './chaos/run.ts';
import { broken } from './chaos/verdict.ts';

const { values } = parseArgs({
  options: {
    n: { type: 'string', default: '1000' },
    kills: { type: 'string', default: '30' },
    seed: { type: 'string', default: '1' },
    concurrency: { type: 'string', default: '16' },
    nodes: { type: 'string', default: '2' },
    'query-at': { type: 'string' },
    'expire-after': { type: 'string' },
    'prompt-timeout': { type: 'string', default: '60000' },
    'no-c2b': { type: 'boolean', default: false },
    'keep-logs': { type: 'boolean', default: false },
  },
});
const int = (name: keyof typeof values) => {
  const n = Number(values[name]);
  if (!Number.isInteger(n) || n < 0) {
    process.stderr.write(`--${name} must be a whole number\n`);
    process.exit(2);
  }
  return n;
};

const adminUrl =
  process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const started = Date.now();
const log = (s: string) => process.stdout.write(`[${((Date.now() - started) / 1000).toFixed(0)} s] ${s}\n`);

const report: ChaosReport = await runChaos({
  n: int('n'),
  kills: int('kills'),
  seed: int('seed'),
  concurrency: Math.max(1, int('concurrency')),
  nodes: Math.min(2, Math.max(1, int('nodes'))),
  adminUrl,
  thinkMs: [500, 4_000],
  promptTimeoutMs: int('prompt-timeout'),
  ...(values['query-at'] ? { queryAt: values['query-at'] } : {}),
  ...(values['expire-after'] ? { expireAfter: values['expire-after'] } : {}),
  faults: { drop: 0.1, duplicate: 0.1, delayMs: [0, 3_000], push500: 0.02, query500: 0.05 },
  c2bEcho: !values['no-c2b'],
  settleMs: 8 * 60_000,
  online: true,
  leases: true,
  say: log,
});

const v = report.verdict;
const online = summarize(v.paidToOnlineMs);
const s = (ms: number) => (Number.isFinite(ms) ? `${(ms / 1000).toFixed(1)} s` : '-');
process.stdout.write(
  `\n${table([
    {
      purchases: v.purchases,
      'paid (simulator)': v.paidSim,
      'paid (Wavu)': v.paidWavu,
      lost: v.lost.length,
      'double-credited': v.doubleCredited.length,
      stuck: v.stuck.length,
      'dead jobs': Object.values(v.deadJobs).reduce((a, b) => a + b, 0),
      'never online': v.notOnline.length,
      'paid → online p50': s(online.p50),
      p95: s(online.p95),
      worst: s(online.max),
    },
  ])}\n\n`,
);
process.stdout.write(
  `${table(
    Object.entries(v.paidToOnlineByMode).map(([mode, ms]) => {
      const x = summarize(ms);
      return {
        'paid → online':
          mode === 'api' ? 'api router: user on the router' : 'radius router: MAC login accepted',
        n: x.n,
        p50: s(x.p50),
        p95: s(x.p95),
        worst: s(x.max),
      };
    }),
  )}\n\n`,
);
const http = new Map<string, number>();
for (const x of report.outcomes) http.set(String(x.http), (http.get(String(x.http)) ?? 0) + 1);
process.stdout.write(
  `${table([
    {
      customers: report.outcomes.length,
      'POST answers': [...http].map(([k, n]) => `${k}: ${n}`).join(', '),
      'kill -9': `serve ${report.kills.serve}, worker ${report.kills.worker}, radius ${report.kills.radius}`,
      'callbacks dropped / failed / doubled': `${v.simStats.dropped} / ${v.simStats.failed} / ${v.simStats.duplicated}`,
      'STK queries': v.simStats.queries ?? 0,
      load: s(report.loadMs),
      settle: s(report.settleMs),
    },
  ])}\n\nWavu purchases by status: ${JSON.stringify(v.byStatus)}\nCallback inbox outcomes: ${JSON.stringify(v.inbox)}\n`,
);
const bad = broken(v, { online: true });
if (!report.settled) bad.push(`did not settle within the wait (${s(report.settleMs)})`);
if (bad.length) {
  process.stdout.write(`\nBROKEN:\n${bad.map((b) => `  - ${b}`).join('\n')}\nLogs: ${report.logDir}\n`);
  process.exitCode = 1;
} else {
  process.stdout.write('\nAll invariants held.\n');
  if (values['keep-logs']) process.stdout.write(`Logs: ${report.logDir}\n`);
  else removeLogs(report.logDir);
}
