import type { Module } from '../app/module.ts';
import { adminRoutes } from './admin-routes.ts';
import { ensureOwnerFromEnv } from './auth/first-owner.ts';
import { pruneAdminState } from './auth/prune.ts';
import { DAILY_JOB, dailyReconciliation } from './reconciliation/daily.ts';
import { docsPage, openApiDocument } from './http/openapi.ts';
import { registerAdminRoutes } from './http/register.ts';
import { serveSpa } from './http/spa.ts';

const VERSION = '0.1.0';

/** The admin dashboard: /api/admin/* (JSON), /api/docs (OpenAPI) and the SPA at /admin. */
export const adminModule: Module = {
  name: 'admin',
  routes(app, deps) {
    registerAdminRoutes(app, deps, adminRoutes);
    const doc = openApiDocument(adminRoutes, VERSION);
    const page = docsPage(doc);
    app.get('/api/docs/openapi.json', async () => doc);
    app.get('/api/docs', async (_req, reply) =>
      reply
        .type('text/html; charset=utf-8')
        .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'")
        .send(page),
    );
    serveSpa(app);
  },
  jobs: (deps) => [
    { kind: 'admin.prune', handle: async () => void (await pruneAdminState(deps)) },
    { kind: DAILY_JOB, handle: async () => void (await dailyReconciliation(deps)) },
  ],
  recurring: () => [
    { kind: 'admin.prune', everyMs: 3600_000 },
    // Hourly; it does the day's run once, from 06:00 EAT (daily.ts).
    { kind: DAILY_JOB, everyMs: 3600_000 },
  ],
  services: [
    {
      // Every role runs it (the first process up wins the advisory lock); it returns at once.
      roles: ['serve', 'worker', 'radius'],
      async start(deps) {
        await ensureOwnerFromEnv(deps);
        return async () => {};
      },
    },
  ],
};
