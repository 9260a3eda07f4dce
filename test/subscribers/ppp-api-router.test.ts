/**
 * A PPP subscriber on an api-mode router (the RouterOS simulator over its real API socket):
 * `subscriber.sync` writes the `/ppp secret` with the plan's rate profile, the due-date
 * enforcement (a moved clock) switches it to the expired profile and removes the live
 * `/ppp active` session, suspension disables it, and a payment restores the plan profile.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Worker } from '../../src/jobs/worker.ts';
import { enforceDueDates, SYNC_JOB } from '../../src/subscribers/index.ts';
import { pppModule } from '../../src/subscribers/ppp-module.ts';
import { silentLog } from '../helpers/app.ts';
import { addSubscriber } from '../helpers/subscribers.ts';
import { type Harness, harness } from '../gateways/helpers.ts';

const DAY = 86_400_000;
let h: Harness;
let worker: Worker;

beforeAll(async () => {
  h = await harness();
  worker = new Worker({
    database: h.t.database,
    clock: h.clock,
    log: silentLog(),
    definitions: pppModule.jobs!(h.app.deps),
  });
  // The operator's expired profile (docs/pppoe-setup.md).
  h.sim.router.add('/ppp/profile', { name: 'wavu-expired', 'remote-address': 'wavu-expired' });
}, 60_000);
afterAll(async () => {
  await h?.close();
});

const secret = (name: string) => h.sim.router.print('/ppp/secret', {}, [`name=${name}`]).rows[0];
const active = (name: string) => h.sim.router.print('/ppp/active', {}, [`name=${name}`]).rows;
const change = async (id: number, set: ReturnType<typeof sql>) => {
  const deps = h.app.deps;
  await deps.db.transaction(async (tx) => {
    await tx.execute(sql`UPDATE subscribers SET ${set} WHERE id = ${id}`);
    await deps.enqueue(tx, SYNC_JOB, { subscriberId: id });
  });
  await worker.drain();
};

describe('PPP subscriber on an api-mode router (RouterOS simulator)', () => {
  it('keeps /ppp secret and /ppp active in step with the subscriber', async () => {
    const deps = h.app.deps;
    const s = await addSubscriber(deps, {
      routerId: h.routerId,
      staticIp: '10.20.0.9',
      dueAt: new Date(h.clock.now().getTime() + 2 * DAY),
    });
    await change(s.id, sql`updated_at = now()`);
    expect(secret(s.username)).toMatchObject({
      password: s.password,
      profile: 'wavu-5120k-5120k',
      'remote-address': '10.20.0.9',
      disabled: 'false',
    });
    expect(h.sim.router.print('/ppp/profile', {}, ['name=wavu-5120k-5120k']).rows[0]!['rate-limit']).toBe(
      '5120k/5120k',
    );

    // The subscriber dials in; due in 2 days, 3 of grace: expired after 5.
    h.sim.router.add('/ppp/active', { name: s.username, address: '10.20.0.9' });
    h.clock.advance(5 * DAY);
    expect(await enforceDueDates(deps)).toBe(1);
    await worker.drain();
    expect(secret(s.username)).toMatchObject({
      profile: 'wavu-expired',
      'remote-address': '',
      disabled: 'false',
    });
    expect(active(s.username)).toHaveLength(0);

    // Paid (what the ledger use case does): back to the plan profile at once.
    h.sim.router.add('/ppp/active', { name: s.username, address: '10.99.0.20' });
    await change(s.id, sql`state = 'active', due_at = due_at + interval '30 days'`);
    expect(secret(s.username)).toMatchObject({ profile: 'wavu-5120k-5120k', 'remote-address': '10.20.0.9' });
    expect(active(s.username)).toHaveLength(0);

    // Suspended by staff: the secret is disabled and the session ends.
    h.sim.router.add('/ppp/active', { name: s.username, address: '10.20.0.9' });
    await change(s.id, sql`state = 'suspended'`);
    expect(secret(s.username)!.disabled).toBe('true');
    expect(active(s.username)).toHaveLength(0);

    // A sync that changes nothing leaves the session alone.
    await change(s.id, sql`state = 'active'`);
    h.sim.router.add('/ppp/active', { name: s.username, address: '10.20.0.9' });
    await change(s.id, sql`updated_at = now()`);
    expect(active(s.username)).toHaveLength(1);
    const [j] = await h.jobs(SYNC_JOB.kind);
    expect(j?.status).toBe('done');
  });
});
