/**
 * Assembles the app for one or more roles. `wavu start` runs every role in one process; at scale
 * `serve`, `worker` and `radius` run as separate processes on one PostgreSQL.
 */
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import { migrate } from '../db/migrate.ts';
import { type Database, openDatabase } from '../db/open.ts';
import type { Clock } from '../lib/clock.ts';
import { systemClock } from '../lib/clock.ts';
import type { Worker } from '../jobs/worker.ts';
import { createDeps } from './create-deps.ts';
import type { Deps } from './deps.ts';
import type { Module, Role } from './module.ts';
import { loadModules } from './modules.ts';

export interface App {
  deps: Deps;
  server: FastifyInstance | null;
  worker: Worker | null;
  /** Base URL the HTTP server listens on, when serving. */
  url: string | null;
  stop(): Promise<void>;
}

export interface AppOptions {
  config: Config;
  roles: Role[];
  log: Logger;
  clock?: Clock;
  /** Reuse an open database (tests); otherwise opened from config and closed on stop. */
  database?: Database;
  /** The modules to mount; by default those of `roles` (modules.ts), loaded on demand. */
  modules?: Module[];
  listen?: boolean;
  workerOptions?: { concurrency?: number; pollMs?: number; leaseMs?: number };
}

export async function createApp(o: AppOptions): Promise<App> {
  const clock = o.clock ?? systemClock;
  const ownDb = !o.database;
  const database =
    o.database ??
    (await openDatabase({
      databaseUrl: o.config.databaseUrl,
      dataDir: o.config.dataDir,
      poolSize: o.config.databasePoolSize,
    }));
  const stops: (() => Promise<void>)[] = [];
  // Declared outside the try so a failure part-way through start-up can still shut them down.
  let server: FastifyInstance | null = null;
  let worker: Worker | null = null;
  try {
    const applied = await migrate(database);
    if (applied.length) o.log.info({ applied }, 'database migrated');
    const deps = createDeps({ config: o.config, database, clock, log: o.log });
    const mods = (o.modules ?? (await loadModules({ roles: o.roles, demo: o.config.demo }))).filter(
      (m) => !m.demoOnly || o.config.demo,
    );

    // The HTTP stack and the job worker are imported by the roles that run them only.
    let url: string | null = null;
    if (o.roles.includes('serve')) {
      const { buildServer } = await import('../http/server.ts');
      server = await buildServer(deps, mods);
      if (o.listen !== false) {
        url = await server.listen({ host: o.config.host, port: o.config.port });
      } else {
        await server.ready();
      }
    }

    if (o.roles.includes('worker')) {
      const [{ pruneJobs }, { Worker }] = await Promise.all([
        import('../jobs/prune.ts'),
        import('../jobs/worker.ts'),
      ]);
      const prune = pruneJobs(database, clock);
      worker = new Worker({
        database,
        clock,
        log: o.log.child({ component: 'worker' }),
        definitions: [prune.definition, ...mods.flatMap((m) => m.jobs?.(deps) ?? [])],
        recurring: [prune.schedule, ...mods.flatMap((m) => m.recurring?.(deps) ?? [])],
        ...o.workerOptions,
      });
      await worker.start();
    }

    for (const m of mods) {
      for (const s of m.services ?? []) {
        if (s.roles.some((r) => o.roles.includes(r))) stops.push(await s.start(deps));
      }
    }

    let stopping: Promise<void> | null = null;
    const stop = () => {
      stopping ??= (async () => {
        // Stop taking requests first, then let running jobs finish, then close the database.
        if (server) await server.close().catch((e) => o.log.warn({ err: e }, 'http close'));
        if (worker) await worker.stop().catch((e) => o.log.warn({ err: e }, 'worker stop'));
        for (const s of stops.reverse()) await s().catch((e) => o.log.warn({ err: e }, 'service stop'));
        if (ownDb) await database.close().catch(() => {});
      })();
      return stopping;
    };
    return { deps, server, worker, url, stop };
  } catch (e) {
    await server?.close().catch(() => {});
    await worker?.stop(1_000).catch(() => {});
    for (const s of stops.reverse()) await s().catch(() => {});
    if (ownDb) await database.close().catch(() => {});
    throw e;
  }
}
