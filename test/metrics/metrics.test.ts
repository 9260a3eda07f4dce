/**
 * GET /metrics: every metric moves when its event happens, through the real paths (the Daraja
 * simulator's callbacks, a cash sale, the grant job against the RouterOS simulator, RADIUS over
 * UDP, an agent router's poll, SMS delivery, the job worker), and the endpoint refuses a scrape
 * without the token. PGlite and PostgreSQL (WAVU_TEST_DB=postgres).
 */
import { createServer } from 'node:net';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM } from '../../src/audit/index.ts';
import { createApp } from '../../src/app/run.ts';
import { query } from '../../src/db/open.ts';
import { healthCheckAll } from '../../src/gateways/jobs.ts';
import { PermanentJobError } from '../../src/jobs/types.ts';
import { Worker } from '../../src/jobs/worker.ts';
import { ManualClock } from '../../src/lib/clock.ts';
import { metricsModule } from '../../src/metrics/module.ts';
import { deliverSms } from '../../src/notify/deliver-sms.ts';
import { queueSms } from '../../src/notify/index.ts';
import { recordCashSale } from '../../src/payments/index.ts';
import { attr, decodePacket, encodeRequest, RadiusCode } from '../../src/protocols/radius/index.ts';
import { startRadiusService } from '../../src/radius/service.ts';
import type { SimSmsGateway } from '../../src/sim/sms-gateway.ts';
import { silentLog, testConfig } from '../helpers/app.ts';
import { createTestDatabase } from '../helpers/db.ts';
import { agentHarness } from '../gateways/agent-helpers.ts';
import { harness } from '../gateways/helpers.ts';
import {
  freshPhone,
  type PaymentsHarness,
  purchaseRow,
  startPaymentsApp,
  waitFor,
} from '../payments/helpers.ts';
import { addRadiusRouter, addVoucher, exchange, makeDeps } from '../radius/helpers.ts';
import { sample, scrape } from './scrape.ts';
import { defineJob } from '../../src/jobs/define.ts';
import { z } from 'zod';

const TEST_LATER = defineJob('test.later', z.unknown());
const TEST_DOOMED = defineJob('test.doomed', z.unknown());

describe('GET /metrics access', () => {
  it('without METRICS_TOKEN: loopback only, and never through a proxy', async () => {
    const t = await createTestDatabase();
    const app = await createApp({
      config: testConfig(),
      roles: ['serve'],
      log: silentLog(),
      database: t.database,
      modules: [metricsModule],
      listen: false,
    });
    try {
      const local = await app.server!.inject({ url: '/metrics', remoteAddress: '127.0.0.1' });
      expect(local.statusCode).toBe(200);
      expect(local.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
      expect(local.body).toContain('# TYPE wavu_payments_total counter');
      expect(local.body).toContain('process_cpu_seconds_total');
      expect((await app.server!.inject({ url: '/metrics', remoteAddress: '::1' })).statusCode).toBe(200);
      const remote = await app.server!.inject({ url: '/metrics', remoteAddress: '203.0.113.7' });
      expect(remote.statusCode).toBe(403);
      expect(remote.json().error.code).toBe('forbidden');
      const proxied = await app.server!.inject({
        url: '/metrics',
        remoteAddress: '127.0.0.1',
        headers: { 'x-forwarded-for': '203.0.113.7' },
      });
      expect(proxied.statusCode).toBe(403);
    } finally {
      await app.stop();
      await t.drop();
    }
  });

  it('with METRICS_TOKEN: the bearer token from anywhere, nothing else', async () => {
    const t = await createTestDatabase();
    const token = 'scrape-token-0123456789abcdef';
    const app = await createApp({
      config: testConfig({ METRICS_TOKEN: token }),
      roles: ['serve'],
      log: silentLog(),
      database: t.database,
      modules: [metricsModule],
      listen: false,
    });
    try {
      const get = (authorization?: string, remoteAddress = '203.0.113.7') =>
        app.server!.inject({
          url: '/metrics',
          remoteAddress,
          headers: authorization ? { authorization } : {},
        });
      expect((await get()).statusCode).toBe(401);
      // Loopback is no way round a configured token.
      expect((await get(undefined, '127.0.0.1')).statusCode).toBe(401);
      expect((await get('Bearer wrong-token-0123456789abcdef')).statusCode).toBe(401);
      expect((await get(`Basic ${token}`)).statusCode).toBe(401);
      const ok = await get(`Bearer ${token}`);
      expect(ok.statusCode).toBe(200);
      expect(ok.body).toContain('wavu_jobs_queued');
    } finally {
      await app.stop();
      await t.drop();
    }
  });

  it('refuses a token too short to be a lock', () => {
    expect(() => testConfig({ METRICS_TOKEN: 'short' })).toThrow(/METRICS_TOKEN/);
  });
});

describe('payments, SMS and the job queue', () => {
  let h: PaymentsHarness;
  beforeAll(async () => {
    h = await startPaymentsApp();
  });
  afterAll(async () => {
    await h.stop();
  });
  const m = () => h.app.deps.metrics;

  async function buy(phone: string) {
    const r = await h.app.server!.inject({
      method: 'POST',
      url: '/api/purchases',
      payload: { planId: 1, phone },
    });
    expect(r.statusCode, r.body).toBe(201);
    const { id } = r.json() as { id: string };
    const settled = await waitFor(async () => {
      const p = await purchaseRow(h, id);
      return p.status !== 'pending' ? p : null;
    });
    // The row is visible once its statement commits, a moment before the callback's handler goes
    // on to count it: wait for the simulator to have its answer, so the handler has finished.
    await h.sim.flush();
    return settled;
  }

  it('an STK success counts a paid payment and its callback → paid time', async () => {
    const before = await scrape(m());
    h.sim.defaultPlan = { kind: 'result', code: 0 };
    expect((await buy(freshPhone())).status).toBe('paid');
    const after = await scrape(m());
    const paid = { channel: 'stk', result: '0' };
    expect(sample(after, 'wavu_payments_total', paid)).toBe(sample(before, 'wavu_payments_total', paid) + 1);
    expect(sample(after, 'wavu_payment_callback_to_paid_seconds_count')).toBe(
      sample(before, 'wavu_payment_callback_to_paid_seconds_count') + 1,
    );
    // Real time here (OffsetClock): a paid callback lands in well under the 5 s bucket.
    expect(sample(after, 'wavu_payment_callback_to_paid_seconds_bucket', { le: '5' })).toBe(
      sample(before, 'wavu_payment_callback_to_paid_seconds_bucket', { le: '5' }) + 1,
    );
  });

  it('a cancelled prompt counts under its result code', async () => {
    h.sim.defaultPlan = { kind: 'result', code: 1032 };
    const labels = { channel: 'stk', result: '1032' };
    const before = sample(await scrape(m()), 'wavu_payments_total', labels);
    expect((await buy(freshPhone())).status).toBe('cancelled');
    expect(sample(await scrape(m()), 'wavu_payments_total', labels)).toBe(before + 1);
  });

  it('a cash sale counts once, and its repeat not again', async () => {
    const labels = { channel: 'cash', result: '0' };
    const before = sample(await scrape(m()), 'wavu_payments_total', labels);
    const input = {
      requestId: '9b8f0a52-4c1e-4f0e-9a51-3c2d1e0f9a01',
      planId: 1,
      phone: null,
      purpose: 'voucher' as const,
      actor: SYSTEM,
    };
    await recordCashSale(h.app.deps, input);
    expect((await recordCashSale(h.app.deps, input)).repeated).toBe(true);
    expect(sample(await scrape(m()), 'wavu_payments_total', labels)).toBe(before + 1);
  });

  it('SMS sent and failed move with each delivery', async () => {
    const deps = h.app.deps;
    const queue = () =>
      deps.db.transaction((tx) =>
        queueSms(tx, deps, { to: freshPhone(), body: 'Your code is ABCDE-FGHJK', code: 'ABCDE-FGHJK' }),
      );
    const before = await scrape(m());
    expect((await deliverSms(deps, await queue(), { isLast: false })).status).toBe('sent');
    (deps.sms.sim as SimSmsGateway).injectFaults('permanent', 1);
    expect((await deliverSms(deps, await queue(), { isLast: false })).status).toBe('failed');
    // A retryable failure that is not the last attempt has not failed yet.
    (deps.sms.sim as SimSmsGateway).injectFaults('retryable', 1);
    expect((await deliverSms(deps, await queue(), { isLast: false })).status).toBe('retry');
    const after = await scrape(m());
    expect(sample(after, 'wavu_sms_sent_total')).toBe(sample(before, 'wavu_sms_sent_total') + 1);
    expect(sample(after, 'wavu_sms_failed_total')).toBe(sample(before, 'wavu_sms_failed_total') + 1);
  });

  it('queue depth and the oldest due job come from the database at scrape time', async () => {
    // No worker runs in this app: the SMS jobs queued above are waiting.
    const [due] = await query<{ n: number }>(
      h.app.deps.db,
      sql`SELECT count(*)::int AS n FROM jobs WHERE kind = 'sms.send' AND status = 'queued' AND run_at <= ${h.clock.now()}`,
    );
    const text = await scrape(m());
    expect(sample(text, 'wavu_jobs_queued', { kind: 'sms.send' })).toBe(Number(due!.n));
    expect(Number(due!.n)).toBeGreaterThan(0);
    const age = sample(text, 'wavu_jobs_oldest_queued_age_seconds', { kind: 'sms.send' });
    h.clock.advance(600_000);
    const later = sample(await scrape(m()), 'wavu_jobs_oldest_queued_age_seconds', { kind: 'sms.send' });
    expect(later - age).toBeGreaterThanOrEqual(600);
    // A job scheduled for later is not waiting.
    await h.app.deps.enqueue(
      h.app.deps.db,
      TEST_LATER,
      {},
      { runAt: new Date(h.clock.now().getTime() + 3_600_000) },
    );
    expect(sample(await scrape(m()), 'wavu_jobs_queued', { kind: 'test.later' })).toBe(0);
  });

  it('a job that fails for good shows up as dead for its kind', async () => {
    const before = sample(await scrape(m()), 'wavu_jobs_dead', { kind: 'test.doomed' });
    await h.app.deps.enqueue(h.app.deps.db, TEST_DOOMED, {}, { key: 'doomed-1' });
    const worker = new Worker({
      database: h.t.database,
      clock: h.clock,
      log: silentLog(),
      definitions: [
        {
          kind: 'test.doomed',
          async handle() {
            throw new PermanentJobError('the thing it needs is gone');
          },
        },
      ],
    });
    await worker.drain();
    const text = await scrape(m());
    expect(sample(text, 'wavu_jobs_dead', { kind: 'test.doomed' })).toBe(before + 1);
    expect(sample(text, 'wavu_jobs_queued', { kind: 'test.doomed' })).toBe(0);
  });
});

describe('routers and paid → online (api mode)', () => {
  it('the first grant of a paid code is timed; router up, last contact, then down', async () => {
    const h = await harness();
    try {
      const m = h.app.deps.metrics;
      const before = await scrape(m);
      expect(sample(before, 'wavu_router_up', { router: 'r1', mode: 'api' })).toBe(0);
      const { accessCodeId } = await h.issue();
      h.clock.advance(2_000);
      await h.drain();
      expect(await h.grantStatus(accessCodeId)).toBe('granted');
      const after = await scrape(m);
      expect(sample(after, 'wavu_payment_paid_to_online_seconds_count', { mode: 'api' })).toBe(1);
      expect(sample(after, 'wavu_payment_paid_to_online_seconds_sum', { mode: 'api' })).toBe(2);
      expect(sample(after, 'wavu_payment_paid_to_online_seconds_bucket', { mode: 'api', le: '1' })).toBe(0);
      expect(sample(after, 'wavu_payment_paid_to_online_seconds_bucket', { mode: 'api', le: '2' })).toBe(1);
      expect(sample(after, 'wavu_router_up', { router: 'r1', mode: 'api' })).toBe(1);
      expect(sample(after, 'wavu_router_last_contact_timestamp_seconds', { router: 'r1' })).toBe(
        h.clock.now().getTime() / 1000,
      );
      // The router reconcile confirms the same grant again: not a second "getting online".
      h.clock.advance(120_000);
      await h.drain();
      expect(sample(await scrape(m), 'wavu_payment_paid_to_online_seconds_count', { mode: 'api' })).toBe(1);

      h.sim.setFault('down');
      await healthCheckAll(h.app.deps);
      expect(sample(await scrape(m), 'wavu_router_up', { router: 'r1', mode: 'api' })).toBe(0);
    } finally {
      await h.close();
    }
  });
});

describe('agent polls', () => {
  it('each poll counts for its router; an unknown token counts as refused', async () => {
    const h = await agentHarness();
    try {
      const m = h.app.deps.metrics;
      const ok = { router: 'cgnat-1', outcome: 'ok' };
      const before = sample(await scrape(m), 'wavu_agent_polls_total', ok);
      await h.poll();
      expect(sample(await scrape(m), 'wavu_agent_polls_total', ok)).toBeGreaterThan(before);
      // A paid code granted through the agent: confirmed by the next poll's ack.
      const { accessCodeId } = await h.issue();
      await h.drain();
      h.clock.advance(5_000);
      await h.poll();
      await h.poll();
      expect(await h.grantStatus(accessCodeId)).toBe('granted');
      const text = await scrape(m);
      expect(sample(text, 'wavu_payment_paid_to_online_seconds_count', { mode: 'api' })).toBe(1);
      expect(sample(text, 'wavu_payment_paid_to_online_seconds_sum', { mode: 'api' })).toBe(5);

      const refused = { router: 'unknown', outcome: 'refused' };
      const r = await fetch(`${h.app.url}/agent/v1/poll`, {
        method: 'POST',
        headers: { authorization: 'Bearer not-a-token' },
        body: '',
      });
      expect(r.status).toBe(401);
      expect(sample(await scrape(m), 'wavu_agent_polls_total', refused)).toBe(1);
    } finally {
      await h.close();
    }
  });
});

describe('RADIUS', () => {
  it('requests by type and outcome, each timed', async () => {
    const t = await createTestDatabase();
    const deps = makeDeps(t, new ManualClock('2026-04-01T10:00:00Z'));
    const secret = 'metrics-secret';
    await addRadiusRouter(deps, { name: 'hs-m', secret, address: '127.0.0.1' });
    const server = await startRadiusService(deps, { host: '127.0.0.1', authPort: 0, acctPort: 0 });
    try {
      const v = await addVoucher(deps);
      const access = (id: number, password: string) =>
        encodeRequest({
          code: RadiusCode.AccessRequest,
          identifier: id,
          attributes: [
            attr('User-Name', v.code),
            attr('User-Password', password),
            attr('Calling-Station-Id', 'A4-00-00-00-00-07'),
          ],
          secret,
        });
      const accept = await exchange(server.authPort!, access(1, v.code));
      expect(decodePacket(accept!).code).toBe(RadiusCode.AccessAccept);
      const reject = await exchange(server.authPort!, access(2, 'WRONG-PASSWORD'));
      expect(decodePacket(reject!).code).toBe(RadiusCode.AccessReject);
      const acct = await exchange(
        server.acctPort!,
        encodeRequest({
          code: RadiusCode.AccountingRequest,
          identifier: 3,
          attributes: [
            attr('User-Name', v.code),
            attr('Acct-Session-Id', 'm-1'),
            attr('Acct-Status-Type', 'Start'),
            attr('Calling-Station-Id', 'A4-00-00-00-00-07'),
          ],
          secret,
        }),
      );
      expect(decodePacket(acct!).code).toBe(RadiusCode.AccountingResponse);
      const text = await scrape(deps.metrics);
      expect(sample(text, 'wavu_radius_requests_total', { type: 'access', outcome: 'accept' })).toBe(1);
      expect(sample(text, 'wavu_radius_requests_total', { type: 'access', outcome: 'reject' })).toBe(1);
      expect(sample(text, 'wavu_radius_requests_total', { type: 'accounting', outcome: 'response' })).toBe(1);
      expect(sample(text, 'wavu_radius_request_duration_seconds_count', { type: 'access' })).toBe(2);
      expect(sample(text, 'wavu_radius_request_duration_seconds_count', { type: 'accounting' })).toBe(1);
      expect(sample(text, 'wavu_radius_request_duration_seconds_sum', { type: 'access' })).toBeGreaterThan(0);
    } finally {
      await server.stop();
      await t.drop();
    }
  });
});

describe('a process without the HTTP role', () => {
  it('serves /metrics on METRICS_PORT, with the events it handled', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const t = await createTestDatabase();
    const app = await createApp({
      config: testConfig({ METRICS_PORT: String(port) }),
      roles: ['worker'],
      log: silentLog(),
      database: t.database,
      workerOptions: { pollMs: 50 },
    });
    try {
      expect(app.server).toBeNull();
      const deps = app.deps;
      await deps.db.transaction((tx) =>
        queueSms(tx, deps, { to: freshPhone(), body: 'Your code is ABCDE-FGHJK', code: 'ABCDE-FGHJK' }),
      );
      const text = await waitFor(async () => {
        const r = await fetch(`http://127.0.0.1:${port}/metrics`);
        expect(r.status).toBe(200);
        const body = await r.text();
        return sample(body, 'wavu_sms_sent_total') === 1 ? body : null;
      });
      expect(text).toContain('wavu_jobs_queued');
    } finally {
      await app.stop();
      await t.drop();
    }
  });
});
