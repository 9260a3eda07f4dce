import type { Module } from '../app/module.ts';
import { ensureOwnerFromEnv } from './auth/first-owner.ts';
import { pruneAdminState } from './auth/prune.ts';
import { handler } from '../jobs/define.ts';
import { ADMIN_PRUNE_JOB, DAILY_RECONCILIATION_JOB } from './job-kinds.ts';
import { dailyReconciliation } from './reconciliation/daily.ts';

const VERSION = '0.1.0';

/** The admin dashboard: /api/admin/* (JSON), /api/docs (OpenAPI) and the SPA at /admin. */
export const adminModule: Module = {
  name: 'admin',
  // The API and its schemas are imported by the HTTP role only; the OpenAPI document (every
  // schema as JSON Schema) is built by its first reader, not at every start.
  async routes(app, deps) {
    const [{ adminRoutes }, { registerAdminRoutes }, { serveSpa }] = await Promise.all([
      import('./admin-routes.ts'),
      import('./http/register.ts'),
      import('./http/spa.ts'),
    ]);
    registerAdminRoutes(app, deps, adminRoutes);
    let docs: Promise<{ doc: unknown; page: string }> | undefined;
    const built = () =>
      (docs ??= import('./http/openapi.ts').then(({ docsPage, openApiDocument }) => {
        const doc = openApiDocument(adminRoutes, VERSION);
        return { doc, page: docsPage(doc) };
      }));
    app.get('/api/docs/openapi.json', async () => (await built()).doc);
    app.get('/api/docs', async (_req, reply) =>
      reply
        .type('text/html; charset=utf-8')
        .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'")
        .send((await built()).page),
    );
    serveSpa(app);
  },
  jobs: (deps) => [
    handler(ADMIN_PRUNE_JOB, async () => void (await pruneAdminState(deps))),
    handler(DAILY_RECONCILIATION_JOB, async () => void (await dailyReconciliation(deps))),
  ],
  recurring: () => [
    { job: ADMIN_PRUNE_JOB, everyMs: 3600_000 },
    // Hourly; it does the day's run once, from 06:00 EAT (daily.ts).
    { job: DAILY_RECONCILIATION_JOB, everyMs: 3600_000 },
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
