/**
 * The per-router Message-Authenticator policy of radius mode: required by default; "allow
 * without" is stored, logged and shown as a warning on the router (CLI, admin page).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app/run.ts';
import { SYSTEM } from '../../src/audit/index.ts';
import { addRouter, updateRouter } from '../../src/gateways/index.ts';
import { MESSAGE_AUTH_WARNING, routerById } from '../../src/gateways/routers/repo.ts';
import { ManualClock } from '../../src/lib/clock.ts';
import { startDrainedApp } from '../helpers/app.ts';
import type { TestDatabase } from '../helpers/db.ts';

describe('Message-Authenticator policy per radius router', () => {
  const clock = new ManualClock('2026-03-02T08:00:00Z');
  let t: TestDatabase;
  let app: App;
  beforeAll(async () => {
    ({ t, app } = await startDrainedApp(clock));
  });
  afterAll(async () => {
    await app?.stop();
    await t?.drop();
  });

  it('is required by default, and "allow-without" is stored and shown as a warning', async () => {
    const strict = await addRouter(
      app.deps,
      { mode: 'radius', name: 'strict-1', address: '10.8.0.21' },
      { actor: SYSTEM },
    );
    expect(strict.router.messageAuth).toBe('required');
    expect(strict.router.warnings).not.toContain(MESSAGE_AUTH_WARNING);

    const lax = await addRouter(
      app.deps,
      { mode: 'radius', name: 'pppoe-1', address: '10.8.0.22', messageAuth: 'allow-without' },
      { actor: SYSTEM },
    );
    expect(lax.router.messageAuth).toBe('allow-without');
    expect(lax.router.warnings).toContain(MESSAGE_AUTH_WARNING);
    expect((await routerById(app.deps.db, lax.router.id))!.radiusRequireMessageAuth).toBe(false);

    const back = await updateRouter(app.deps, 'pppoe-1', { messageAuth: 'required' }, { actor: SYSTEM });
    expect(back.warnings).not.toContain(MESSAGE_AUTH_WARNING);
    expect((await routerById(app.deps.db, lax.router.id))!.radiusRequireMessageAuth).toBe(true);
  });

  it('refuses a policy that is not one, or on a router that is not in radius mode', async () => {
    await expect(
      addRouter(
        app.deps,
        { mode: 'radius', name: 'bad-1', address: '10.8.0.23', messageAuth: 'sometimes' } as never,
        { actor: SYSTEM },
      ),
    ).rejects.toThrow(/required or allow-without/);
    await addRouter(app.deps, { mode: 'opennds', name: 'nds-1' }, { actor: SYSTEM });
    await expect(
      updateRouter(app.deps, 'nds-1', { messageAuth: 'allow-without' }, { actor: SYSTEM }),
    ).rejects.toThrow(/cannot be set on a router in opennds mode/);
  });
});
