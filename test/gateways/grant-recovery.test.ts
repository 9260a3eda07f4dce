/**
 * A paid customer is not held offline by a worker crash: a grant claimed by a worker that dies is
 * taken over after the grant's own short lease, and the grant is recorded when the purchase is
 * credited, so the router reconcile puts the code on a router that never got the grant job.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { asDate, query } from '../../src/db/open.ts';
import { gatewayJobs, ROUTER_OP_LEASE_MS } from '../../src/gateways/jobs.ts';
import { DEFAULT_LEASE_MS, Worker } from '../../src/jobs/worker.ts';
import { creditPurchase } from '../../src/payments/credit.ts';
import { silentLog } from '../helpers/app.ts';
import { type Harness, harness } from './helpers.ts';
import { GATEWAY_RECONCILE_JOB } from '../../src/gateways/job-kinds.ts';

let h: Harness;
afterEach(async () => {
  vi.useRealTimers();
  await h?.close();
});

const MAC = 'A4:00:00:00:00:01';

/**
 * A worker that claims the next grant and then dies: its handler never returns and its lease is
 * never renewed (a killed process runs no timers, so the renewal timer is created frozen).
 */
async function workerThatDiesHoldingAGrant(): Promise<void> {
  const grant = gatewayJobs(h.app.deps).find((d) => d.kind === 'gateway.grant')!;
  let claimed!: () => void;
  const onClaim = new Promise<void>((r) => {
    claimed = r;
  });
  const dead = new Worker({
    database: h.t.database,
    clock: h.clock,
    log: silentLog(),
    definitions: [
      {
        ...grant,
        handle: () => {
          claimed();
          return new Promise<void>(() => {});
        },
      },
    ],
  });
  vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
  void dead.drain();
  await onClaim;
  vi.useRealTimers();
}

describe('a grant held by a worker that died', () => {
  it('is taken over after the grant lease, not the worker default', async () => {
    expect(ROUTER_OP_LEASE_MS).toBeLessThan(DEFAULT_LEASE_MS);
    h = await harness();
    const { code } = await h.issue();
    const claimedAt = h.clock.now().getTime();
    await workerThatDiesHoldingAGrant();
    const [held] = await query<{ status: string; locked_until: unknown }>(
      h.app.deps.db,
      sql`SELECT status, locked_until FROM jobs WHERE kind = 'gateway.grant'`,
    );
    expect(held!.status).toBe('running');
    expect(asDate(held!.locked_until).getTime()).toBe(claimedAt + ROUTER_OP_LEASE_MS);

    h.clock.advance(ROUTER_OP_LEASE_MS - 1);
    await h.drain();
    expect(h.ourUsers()).toEqual([]); // still within the dead worker's lease

    h.clock.advance(2);
    await h.drain();
    expect(h.ourUsers().map((u) => u.name)).toEqual([code]);
    const [job] = await h.jobs('gateway.grant');
    expect(job).toMatchObject({ status: 'done', attempts: 2 });
  });
});

describe('the grant is recorded at credit time', () => {
  async function pendingPurchase(): Promise<string> {
    const id = randomUUID();
    await h.app.deps.db.execute(
      sql`INSERT INTO purchases (id, ref, plan_id, phone, amount_kes, channel, mac, router_id, created_at, updated_at)
          VALUES (${id}, ${`R${id.slice(0, 7)}`}, 1, '254712000111', 20, 'stk', ${MAC}, ${h.routerId},
                  ${h.clock.now()}, ${h.clock.now()})`,
    );
    return id;
  }

  it('so the scheduled router reconcile puts the code on a router whose grant job never ran', async () => {
    h = await harness();
    const purchaseId = await pendingPurchase();
    const r = await creditPurchase(h.app.deps, {
      purchaseId,
      receipt: 'UAB1GRANT1',
      paidAmountKes: 20,
      source: 'stk_callback',
    });
    expect(r.outcome).toBe('credited');
    const accessCodeId = (r as { accessCodeId: string }).accessCodeId;
    // Written with the credit, before any job ran.
    expect(await h.grantStatus(accessCodeId)).toBe('pending');

    // The grant job is lost (here: it ran out of attempts without reaching the router).
    await h.app.deps.db.execute(sql`UPDATE jobs SET status = 'dead' WHERE kind = 'gateway.grant'`);
    await h.drain();
    expect(h.ourUsers()).toEqual([]);

    // The minute's reconcile (what the recurring schedule enqueues) repairs it.
    await h.app.deps.enqueue(h.app.deps.db, GATEWAY_RECONCILE_JOB, {}, { key: 'minute' });
    await h.drain();
    const [u] = h.ourUsers();
    expect(u).toMatchObject({ comment: `wavu:${accessCodeId}`, 'mac-address': MAC });
    expect(await h.grantStatus(accessCodeId)).toBe('granted');
  });

  it('an extension of a code already on the router keeps it granted', async () => {
    h = await harness();
    const first = await pendingPurchase();
    const a = await creditPurchase(h.app.deps, {
      purchaseId: first,
      receipt: 'UAB1GRANT2',
      paidAmountKes: 20,
      source: 'stk_callback',
    });
    await h.drain();
    const accessCodeId = (a as { accessCodeId: string }).accessCodeId;
    expect(await h.grantStatus(accessCodeId)).toBe('granted');
    const second = await pendingPurchase();
    const b = await creditPurchase(h.app.deps, {
      purchaseId: second,
      receipt: 'UAB1GRANT3',
      paidAmountKes: 20,
      source: 'stk_callback',
    });
    expect(b).toMatchObject({ outcome: 'credited', accessCodeId, extended: true });
    expect(await h.grantStatus(accessCodeId)).toBe('granted');
  });
});
