/**
 * Each role loads the code of its own work only (app/modules.ts): the memory of a `wavu radius`
 * or `wavu worker` process is mostly the modules it imports. Each role is started for real from
 * the CLI, as in production, with a resolve hook recording every module it loads (role-imports/);
 * the test asserts which features and heavy packages are among them. A structural check: an
 * import that drags the admin API into the RADIUS server fails here, whatever the memory reads.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../src/app/module.ts';
import { migrate } from '../../src/db/migrate.ts';
import { openDatabase } from '../../src/db/open.ts';
import { createTestDatabase, onPostgres, type TestDatabase } from '../helpers/db.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const SRC = join(ROOT, 'src');

interface Loaded {
  /** Our files, relative to src/ (`radius/server.ts`). */
  files: Set<string>;
  /** The npm packages (`fastify`, `@electric-sql/pglite`). */
  packages: Set<string>;
}

function read(out: string): Loaded {
  const files = new Set<string>();
  const packages = new Set<string>();
  for (const url of readFileSync(out, 'utf8').split('\n')) {
    if (!url.startsWith('file:')) continue;
    const path = fileURLToPath(url);
    const pkg = path.match(/node_modules\/((?:@[^/]+\/)?[^/]+)\//);
    if (pkg) packages.add(pkg[1]!);
    else if (path.startsWith(`${SRC}/`)) files.add(relative(SRC, path));
  }
  return { files, packages };
}

/** Start `wavu <role>` from the sources, wait until it has started, stop it, and read what it loaded. */
function runRole(role: Role, env: Record<string, string>, dir: string): Promise<Loaded> {
  const out = join(dir, `${role}.txt`);
  return new Promise((ok, fail) => {
    const child = spawn(
      process.execPath,
      ['--import', join(import.meta.dirname, 'role-imports/record.mjs'), join(ROOT, 'bin/wavu.js'), role],
      {
        env: { PATH: process.env.PATH ?? '', ...env, ROLE_IMPORTS_OUT: out },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let log = '';
    let started = false;
    const take = (b: Buffer) => {
      log += b.toString();
      if (!started && log.includes('"msg":"wavu started"')) {
        started = true;
        child.kill('SIGTERM');
      }
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.on('exit', (code) => {
      if (!started) fail(new Error(`wavu ${role} exited (${code}) before it started:\n${log}`));
      else if (code !== 0) fail(new Error(`wavu ${role} did not stop cleanly (${code}):\n${log}`));
      else ok(read(out));
    });
  });
}

const has = (l: Loaded, prefix: string) => [...l.files].filter((f) => f.startsWith(prefix));
/** The feature modules (app/modules.ts entries) a process loaded. */
const modulesOf = (l: Loaded) =>
  [...l.files].filter((f) => /(^|\/)[a-z-]*module\.ts$/.test(f) && !f.startsWith('app/')).sort();

const HEAVY_FOR_PRINTING = ['pdfkit', 'qrcode', 'fontkit'];

/**
 * What the wiring (createDeps, synchronous) takes from the simulators in every role: the demo's
 * SMS inbox class and the simulator's certificate, a few small files. No simulator runs or mounts.
 */
const WIRING_SIM = new Set([
  'sim/sms-gateway.ts',
  'sim/daraja/transaction-status.ts',
  'sim/daraja/ids.ts',
  'sim/daraja/types.ts',
]);
const simulators = (l: Loaded) => has(l, 'sim/').filter((f) => !WIRING_SIM.has(f));

describe('what each role imports', () => {
  let t: TestDatabase | null = null;
  let dir: string;
  const loaded = new Map<Role, Loaded>();

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wavu-role-imports-'));
    const env: Record<string, string> = {
      WAVU_MODE: 'production',
      WAVU_DATA_DIR: join(dir, 'data'),
      HOST: '127.0.0.1',
      PORT: '0',
      PUBLIC_URL: 'http://127.0.0.1:9',
      SECRET_KEY: randomBytes(32).toString('hex'),
      MPESA_BASE_URL: 'http://127.0.0.1:9',
      MPESA_CALLBACK_SECRET: randomBytes(16).toString('hex'),
      SMS_PROVIDER: 'none',
      RADIUS_AUTH_PORT: '0',
      RADIUS_ACCT_PORT: '0',
      LOG_FORMAT: 'json',
      LOG_LEVEL: 'info',
    };
    if (onPostgres()) {
      t = await createTestDatabase();
      env.DATABASE_URL = t.url!;
      // Separate processes on one PostgreSQL, as in production.
      const roles: Role[] = ['serve', 'worker', 'radius'];
      const all = await Promise.all(roles.map((r) => runRole(r, env, dir)));
      for (const [i, r] of roles.entries()) loaded.set(r, all[i]!);
    } else {
      // The embedded database is one process's at a time: made once here, then each role in turn.
      const database = await openDatabase({ dataDir: env.WAVU_DATA_DIR });
      await migrate(database);
      await database.close();
      for (const r of ['serve', 'worker', 'radius'] as const) loaded.set(r, await runRole(r, env, dir));
    }
  }, 240_000);

  afterAll(async () => {
    await t?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the RADIUS server loads no HTTP stack, no portal, no admin API and no job worker', () => {
    const l = loaded.get('radius')!;
    expect(l.files).toContain('radius/server.ts');
    expect(modulesOf(l)).toEqual([
      'admin/module.ts',
      'gateways/module.ts',
      'metrics/module.ts',
      'radius/module.ts',
    ]);
    expect(has(l, 'portal/')).toEqual([]);
    expect(has(l, 'admin/http/')).toEqual([]);
    expect(has(l, 'http/server.ts')).toEqual([]);
    expect(has(l, 'jobs/worker.ts')).toEqual([]);
    expect(simulators(l)).toEqual([]);
    expect([...l.files].filter((f) => /(^|\/)routes(\/|\.ts$)/.test(f))).toEqual([]);
    for (const p of ['fastify', ...HEAVY_FOR_PRINTING]) expect(l.packages).not.toContain(p);
  });

  it('the worker loads the job worker, and no HTTP stack, routes, portal or admin API', () => {
    const l = loaded.get('worker')!;
    expect(l.files).toContain('jobs/worker.ts');
    expect(modulesOf(l)).toEqual([
      'access/module.ts',
      'admin/module.ts',
      'alerts/module.ts',
      'gateways/module.ts',
      'metrics/module.ts',
      'notify/module.ts',
      'payments/module.ts',
      'radius/module.ts',
      'subscribers/paying-module.ts',
      'subscribers/ppp-module.ts',
    ]);
    expect(has(l, 'portal/')).toEqual([]);
    expect(has(l, 'admin/http/')).toEqual([]);
    expect(has(l, 'http/server.ts')).toEqual([]);
    expect(has(l, 'radius/server.ts')).toEqual([]);
    expect(simulators(l)).toEqual([]);
    expect([...l.files].filter((f) => /(^|\/)routes(\/|\.ts$)/.test(f))).toEqual([]);
    for (const p of ['fastify', ...HEAVY_FOR_PRINTING]) expect(l.packages).not.toContain(p);
  });

  it('the HTTP server loads the routes, and not the job worker, RADIUS, the simulators or the printing', () => {
    const l = loaded.get('serve')!;
    expect(l.packages).toContain('fastify');
    expect(l.files).toContain('portal/module.ts');
    expect(l.files).toContain('admin/admin-routes.ts');
    expect(modulesOf(l)).not.toContain('alerts/module.ts');
    expect(modulesOf(l)).not.toContain('radius/module.ts');
    expect(has(l, 'jobs/worker.ts')).toEqual([]);
    expect(has(l, 'radius/server.ts')).toEqual([]);
    expect(simulators(l)).toEqual([]);
    // Built by the first reader of /api/docs, printed by the first sheet.
    expect(has(l, 'admin/http/openapi.ts')).toEqual([]);
    for (const p of HEAVY_FOR_PRINTING) expect(l.packages).not.toContain(p);
  });

  it.runIf(onPostgres())('no PostgreSQL role loads the embedded database', () => {
    for (const l of loaded.values()) expect(l.packages).not.toContain('@electric-sql/pglite');
  });
});
