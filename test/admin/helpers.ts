import { createApp, type App } from '../../src/app/run.ts';
import { SYSTEM } from '../../src/audit/index.ts';
import { createSession } from '../../src/admin/auth/sessions.ts';
import { createAdminUser } from '../../src/admin/auth/users.ts';
import type { AdminRole } from '../../src/db/schema.ts';
import { ManualClock } from '../../src/lib/clock.ts';
import { silentLog, testConfig } from '../helpers/app.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';

export interface AdminHarness {
  t: TestDatabase;
  app: App;
  clock: ManualClock;
  stop(): Promise<void>;
}

export async function adminHarness(env: Record<string, string> = {}): Promise<AdminHarness> {
  const t = await createTestDatabase();
  const clock = new ManualClock('2026-03-02T09:00:00Z');
  const app = await createApp({
    config: testConfig(env),
    roles: ['serve'],
    log: silentLog(),
    database: t.database,
    clock,
    listen: false,
  });
  return {
    t,
    app,
    clock,
    async stop() {
      await app.stop();
      await t.drop();
    },
  };
}

export const PASSWORD = 'correct horse battery';

export async function makeUser(h: AdminHarness, username: string, role: AdminRole) {
  const deps = h.app.deps;
  return deps.db.transaction((tx) =>
    createAdminUser(tx, deps, { username, password: PASSWORD, role, actor: SYSTEM }),
  );
}

/** A signed-in browser for `userId`, made without the (slow by design) password hash. */
export async function sessionFor(h: AdminHarness, userId: number) {
  const s = await createSession(h.app.deps.db, h.app.deps, { userId, ip: '127.0.0.1', userAgent: 'test' });
  return { cookie: `wavu_admin=${s.token}`, csrf: s.csrfToken };
}

export function inject(
  h: AdminHarness,
  who: { cookie: string; csrf: string } | null,
  method: string,
  url: string,
  body?: unknown,
  opts: { csrf?: string | null } = {},
) {
  const headers: Record<string, string> = {};
  if (who) headers.cookie = who.cookie;
  const csrf = opts.csrf === undefined ? who?.csrf : opts.csrf;
  if (csrf && method !== 'GET') headers['x-csrf-token'] = csrf;
  return h.app.server!.inject({
    method: method as never,
    url,
    headers,
    ...(body !== undefined ? { payload: body as never } : method !== 'GET' ? { payload: {} } : {}),
  });
}

/**
 * Headers of a signed-in account on any test app (for feature tests that call admin routes):
 * the session cookie, the CSRF token and a JSON content type.
 */
export async function adminHeaders(app: App, role: AdminRole = 'owner'): Promise<Record<string, string>> {
  const deps = app.deps;
  const username = `${role}-${Math.random().toString(36).slice(2, 8)}`;
  const user = await deps.db.transaction((tx) =>
    createAdminUser(tx, deps, { username, password: PASSWORD, role, actor: SYSTEM }),
  );
  const s = await createSession(deps.db, deps, { userId: user.id, ip: '127.0.0.1', userAgent: 'test' });
  return { cookie: `wavu_admin=${s.token}`, 'x-csrf-token': s.csrfToken };
}
