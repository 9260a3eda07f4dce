/**
 * Resident memory of each role, run from the sources (bin/wavu.js: the tsx loader compiles on
 * load) and from the compiled build (bin/wavu-dist.js, after `npm run build`), side by side.
 *
 * PostgreSQL roles (`serve`, `worker`, `radius`) run in production mode on a throwaway database;
 * `start` runs the demo on a fresh data directory (embedded PGlite), first and second start. Each
 * process is read once it logs "wavu started" and has idled for IDLE_MS: RSS then, and the peak
 * (VmHWM) since it began.
 *
 *   npm run build   # once, for the compiled column
 *   TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test node --import tsx bench/memory.ts
 *   … bench/memory.ts roles   # the PostgreSQL roles only, not the demo
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { productionEnv, table } from './lib.ts';

const IDLE_MS = Number(process.env.IDLE_MS ?? 10_000);
const ENTRIES = {
  sources: resolve(import.meta.dirname, '../bin/wavu.js'),
  compiled: resolve(import.meta.dirname, '../bin/wavu-dist.js'),
} as const;
type Entry = keyof typeof ENTRIES;

const mib = (kb: number) => Math.round(kb / 1024);

function statusKb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(new RegExp(`${field}:\\s+(\\d+) kB`));
  return m ? Number(m[1]) : Number.NaN;
}

function run(
  entry: Entry,
  args: string[],
  env: Record<string, string>,
  waitFor?: string,
): Promise<{ child: ChildProcess; out: () => string }> {
  return new Promise((ok, fail) => {
    const child = spawn(process.execPath, [ENTRIES[entry], ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const timer = setTimeout(
      () => fail(new Error(`${args.join(' ')} not started in 180 s:\n${out}`)),
      180_000,
    );
    const take = (b: Buffer) => {
      out += b.toString();
      if (waitFor && out.includes(waitFor)) {
        clearTimeout(timer);
        ok({ child, out: () => out });
      }
    };
    child.stdout!.on('data', take);
    child.stderr!.on('data', take);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (!waitFor) ok({ child, out: () => out });
      else if (!out.includes(waitFor)) fail(new Error(`${args.join(' ')} exited (${code}):\n${out}`));
    });
  });
}

async function measure(entry: Entry, args: string[], env: Record<string, string>) {
  const { child } = await run(entry, args, env, '"msg":"wavu started"');
  await new Promise((r) => setTimeout(r, IDLE_MS));
  const pid = child.pid!;
  const rss = statusKb(pid, 'VmRSS');
  const peak = statusKb(pid, 'VmHWM');
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
  return { rss: mib(rss), peak: mib(peak) };
}

async function main() {
  const entries = (Object.keys(ENTRIES) as Entry[]).filter((e) => {
    if (e === 'compiled' && !existsSync(resolve(import.meta.dirname, '../dist/main.js'))) {
      console.log('dist/ is missing (npm run build): measuring the sources only');
      return false;
    }
    return true;
  });
  const rows: Record<string, string | number>[] = [];
  const load0 = loadavg()[0]!;

  const adminUrl = process.env.TEST_DATABASE_URL;
  if (adminUrl) {
    const name = `wavu_mem_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    const dataDir = mkdtempSync(join(tmpdir(), 'wavu-mem-'));
    const env: Record<string, string> = {
      ...productionEnv({
        dataDir,
        databaseUrl: url.toString(),
        publicUrl: 'http://127.0.0.1:9',
        mpesaBaseUrl: 'http://127.0.0.1:9',
      }),
      PORT: '0',
      LOG_FORMAT: 'json',
    };
    try {
      await run('sources', ['migrate'], env); // resolves when it exits
      for (const role of ['serve', 'worker', 'radius']) {
        const row: Record<string, string | number> = { process: `${role} (PostgreSQL)` };
        for (const e of entries) {
          const m = await measure(e, [role], env);
          row[`${e} RSS MiB`] = m.rss;
          row[`${e} peak MiB`] = m.peak;
        }
        rows.push(row);
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    }
  } else console.log('TEST_DATABASE_URL unset: the PostgreSQL roles are skipped');

  const demo: Record<string, Record<string, string | number>> = {
    first: { process: 'start, demo, first start (PGlite)' },
    second: { process: 'start, demo, second start (PGlite)' },
  };
  for (const e of process.argv.includes('roles') ? [] : entries) {
    const dataDir = mkdtempSync(join(tmpdir(), 'wavu-mem-demo-'));
    const env = {
      WAVU_DATA_DIR: dataDir,
      PORT: '0',
      RADIUS_AUTH_PORT: '0',
      RADIUS_ACCT_PORT: '0',
      LOG_FORMAT: 'json',
    };
    try {
      for (const k of ['first', 'second'] as const) {
        const m = await measure(e, ['start'], env);
        demo[k]![`${e} RSS MiB`] = m.rss;
        demo[k]![`${e} peak MiB`] = m.peak;
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
  if (!process.argv.includes('roles')) rows.push(demo.first!, demo.second!);

  console.log(table(rows));
  console.log(
    `\nIdle ${IDLE_MS} ms before reading. Load average (1 min) ${load0.toFixed(1)} at start, ${loadavg()[0]!.toFixed(1)} at end.`,
  );
}

await main();
