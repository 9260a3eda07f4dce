#!/usr/bin/env node
// `npm test`: the whole suite on embedded PGlite, then again on PostgreSQL when TEST_DATABASE_URL
// is set. Extra arguments go to vitest (e.g. `npm test -- src/jobs`). Browser tests run last.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';

const args = process.argv.slice(2);
const runs = [{ name: 'PGlite', env: { WAVU_TEST_DB: 'pglite' } }];
if (process.env.TEST_DATABASE_URL) runs.push({ name: 'PostgreSQL', env: { WAVU_TEST_DB: 'postgres' } });

mkdirSync('.tmp', { recursive: true });
let passed = 0;
let failed = 0;
let exit = 0;
for (const run of runs) {
  process.stdout.write(`\n=== Test suite on ${run.name} ===\n`);
  const out = `.tmp/vitest-${run.env.WAVU_TEST_DB}.json`;
  const r = spawnSync(
    process.execPath,
    [
      'node_modules/vitest/vitest.mjs',
      'run',
      '--reporter=default',
      '--reporter=json',
      `--outputFile.json=${out}`,
      ...args,
    ],
    { stdio: 'inherit', env: { ...process.env, ...run.env } },
  );
  if (existsSync(out)) {
    const j = JSON.parse(readFileSync(out, 'utf8'));
    passed += j.numPassedTests;
    failed += j.numFailedTests;
  }
  if (r.status !== 0) exit = r.status ?? 1;
}
process.stdout.write(`\ntests: ${passed} passed, ${failed} failed\n`);
process.exit(exit);
