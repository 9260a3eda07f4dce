import { sql } from 'drizzle-orm';
import type { Module } from '../app/module.ts';
import { pendingMigrations } from '../db/migrate.ts';

/** /healthz: the process answers. /readyz: the database answers and every migration is applied. */
export const healthModule: Module = {
  name: 'health',
  routes(app, deps) {
    app.get('/healthz', { logLevel: 'warn' }, async () => ({ status: 'ok' }));
    app.get('/readyz', { logLevel: 'warn' }, async (_req, reply) => {
      try {
        await deps.db.execute(sql`SELECT 1`);
        const pending = await pendingMigrations(deps.database);
        if (pending.length) {
          return reply.code(503).send({ status: 'not_ready', reason: 'migrations pending', pending });
        }
        return { status: 'ready', database: deps.database.kind };
      } catch (e) {
        deps.log.warn({ err: e }, 'readiness check failed');
        return reply.code(503).send({ status: 'not_ready', reason: 'database unreachable' });
      }
    });
  },
};
