/**
 * Bad input on the portal and the public purchase API gets a clear 4xx and changes nothing:
 * oversized or unreadable forms, invalid JSON, an unknown router; and "Try again" on a purchase
 * that is paid or still waiting never sends another (chargeable) M-Pesa prompt.
 */
import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueForPurchase } from '../../src/access/issue-for-purchase.ts';
import { type App, createApp } from '../../src/app/run.ts';
import { query } from '../../src/db/open.ts';
import { silentLog, testConfig } from '../helpers/app.ts';
import { freshPhone, type PaymentsHarness, startPaymentsApp } from '../payments/helpers.ts';

let h: PaymentsHarness;
beforeAll(async () => {
  h = await startPaymentsApp();
});
afterAll(async () => {
  await h.stop();
});

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const post = (url: string, payload: string | object, headers: Record<string, string> = FORM) =>
  h.app.server!.inject({ method: 'POST', url, payload, headers });

const count = async (table: 'purchases' | 'jobs') =>
  Number(
    (await query<{ n: number }>(h.app.deps.db, sql`SELECT count(*)::int AS n FROM ${sql.raw(table)}`))[0]!.n,
  );

describe('portal forms', () => {
  it('answers a form over 16 KB with 413 and an HTML page, and starts nothing', async () => {
    const before = await count('purchases');
    const r = await post('/portal/buy', `plan=1&phone=0712345678&pad=${'x'.repeat(17_000)}`);
    expect(r.statusCode).toBe(413);
    expect(r.headers['content-type']).toContain('text/html');
    expect(r.body).toContain('That form could not be read');
    expect(await count('purchases')).toBe(before);
  });

  it('answers invalid JSON with 400 and an unknown body type with 400 too, in the page language', async () => {
    const json = await post('/portal/buy?lang=sw', '{"plan": 1, "phone":', {
      'content-type': 'application/json',
    });
    expect(json.statusCode).toBe(400);
    expect(json.headers['content-type']).toContain('text/html');
    expect(json.body).toContain('<html lang="sw"');
    const other = await post('/portal/voucher', '<code/>', { 'content-type': 'application/xml' });
    expect(other.statusCode).toBe(400);
    expect(other.headers['content-type']).toContain('text/html');
  });

  it('takes a JSON body that is not an object as an empty form', async () => {
    for (const body of ['"just a string"', '[1,2]', 'null', '42']) {
      const r = await post('/portal/buy', body, { 'content-type': 'application/json' });
      expect(r.statusCode, body).toBe(303);
      expect(String(r.headers.location)).toContain('e=plan');
    }
  });
});

describe('portal input the routes refuse (read with zod)', () => {
  const get = (url: string) => h.app.server!.inject({ method: 'GET', url });
  const json = { 'content-type': 'application/json' };

  it('answers a malformed or unknown id or token in the address with the HTML 404 page', async () => {
    for (const url of [
      '/portal/wait/not-a-uuid',
      `/portal/wait/${randomUUID()}`,
      '/portal/paybill/12345',
      `/portal/paybill/${randomUUID()}?lang=sw`,
      '/portal/opennds/wait/short',
      `/portal/opennds/wait/${'a'.repeat(30)}`,
      `/portal/unifi/wait/ticket/${randomUUID()}`,
      '/portal/unifi/wait/ticket/not-a-uuid',
    ]) {
      const r = await get(url);
      expect(r.statusCode, url).toBe(404);
      expect(r.headers['content-type'], url).toContain('text/html');
    }
    for (const url of ['/portal/opennds/login/short', `/portal/opennds/login/${'b'.repeat(30)}`]) {
      const r = await post(url, 'username=ABCD-1234');
      expect(r.statusCode, url).toBe(404);
      expect(r.headers['content-type'], url).toContain('text/html');
    }
  });

  it('sends a retry of a malformed purchase id back to the packages, starting nothing', async () => {
    const before = await count('purchases');
    const r = await post('/portal/retry/not-a-uuid', '');
    expect(r.statusCode).toBe(303);
    expect(String(r.headers.location)).toMatch(/^\/portal\?/);
    expect(await count('purchases')).toBe(before);
  });

  it('reads fields of the wrong type as missing: the form says what to fix, nothing starts', async () => {
    const before = await count('purchases');
    const cases: [string, object, string][] = [
      ['/portal/buy', { plan: { id: 1 }, phone: ['0712345678'] }, 'e=plan'],
      ['/portal/buy', { plan: '1', phone: 712345678 }, 'e=phone'],
      ['/portal/voucher', { code: 5, username: 7 }, 'e=code'],
      ['/portal/recover', { receipt: ['QWE1234567'] }, 'e=receipt'],
      ['/portal/recover-sms', { phone: 712345678, amount: '20', day: '2026-01-01' }, 'se=phone'],
      ['/portal/recover-sms', { phone: '0712345678', amount: 20, day: '2026-01-01' }, 'se=amount'],
      ['/portal/recover-sms', { phone: '0712345678', amount: '20', day: 'not a day' }, 'se=day'],
    ];
    for (const [url, body, e] of cases) {
      const r = await post(url, JSON.stringify(body), json);
      expect(r.statusCode, `${url} ${JSON.stringify(body)}`).toBe(303);
      expect(String(r.headers.location), `${url} ${JSON.stringify(body)}`).toContain(e);
    }
    expect(await count('purchases')).toBe(before);
  });

  it('shows the pages for repeated or out-of-range query values, ignoring what it cannot read', async () => {
    for (const url of [
      '/portal?e=phone&e=plan&plan=1&plan=2&s=5&s=6',
      '/portal?plan=1e400&s=-3&e=nonsense',
      '/portal/voucher?code=A&code=B&pw=1&pw=1',
      '/portal/recover?day=2026-01-01&day=x&se=day&se=phone&receipt=A&receipt=B',
    ]) {
      const r = await get(url);
      expect(r.statusCode, url).toBe(200);
      expect(r.body, url).not.toContain('nonsense');
    }
    const twice = await get('/portal/connect?t=a&t=b');
    expect(twice.statusCode).toBe(404);
  });
});

describe('public purchase API', () => {
  it('refuses an unknown or out-of-range routerId with 400 and records nothing', async () => {
    const before = await count('purchases');
    for (const routerId of [999_999, 2 ** 31, 1e20, -1, 'abc']) {
      const r = await h.app.server!.inject({
        method: 'POST',
        url: '/api/purchases',
        payload: { planId: 1, phone: freshPhone(), routerId },
      });
      expect(r.statusCode, String(routerId)).toBe(400);
      expect(r.json().error.code).toBe('validation');
      expect(r.json().error.message).toMatch(/routerId/);
    }
    expect(await count('purchases')).toBe(before);
  });

  it('answers invalid JSON with 400', async () => {
    const r = await post('/api/purchases', '{"planId":', { 'content-type': 'application/json' });
    expect(r.statusCode).toBe(400);
    expect(r.json().error.code).toBe('validation');
  });
});

describe('one-tap retry', () => {
  async function purchase(status: 'paid' | 'pending' | 'failed' | 'cancelled' | 'expired') {
    const id = randomUUID();
    const phone = freshPhone();
    // Old enough that M-Pesa's two-minute rule does not get in the way.
    const at = new Date(h.clock.now().getTime() - 10 * 60_000);
    await h.app.deps.db.transaction(async (tx) => {
      await tx.execute(
        sql`INSERT INTO purchases (id, ref, plan_id, phone, amount_kes, channel, status, created_at, updated_at)
            VALUES (${id}, ${id.slice(0, 8)}, 1, ${phone}, 20, 'stk', 'pending', ${at}, ${at})`,
      );
      if (status === 'pending') return;
      if (status === 'paid') {
        const issued = await issueForPurchase(tx, h.app.deps, {
          purchaseId: id,
          planId: 1,
          phone,
          mac: null,
          routerId: null,
          purpose: 'access',
        });
        await tx.execute(
          sql`UPDATE purchases SET status = 'paid', paid_at = ${at}, access_code_id = ${issued.accessCodeId}
              WHERE id = ${id}`,
        );
        return;
      }
      await tx.execute(
        sql`UPDATE purchases SET status = ${status}, failed_at = ${at}, cancelled_at = ${at}, expired_at = ${at}
            WHERE id = ${id}`,
      );
    });
    return { id, phone };
  }
  const pushesTo = (phone: string) => [...h.sim.txns.values()].filter((t) => t.phone === phone).length;

  for (const status of ['paid', 'pending'] as const) {
    it(`never sends a new prompt for a ${status} purchase; it goes back to its page`, async () => {
      const p = await purchase(status);
      const before = await count('purchases');
      const r = await post(`/portal/retry/${p.id}`, '');
      expect(r.statusCode).toBe(303);
      expect(String(r.headers.location)).toMatch(new RegExp(`^/portal/wait/${p.id}`));
      expect(await count('purchases')).toBe(before);
      expect(pushesTo(p.phone)).toBe(0);
    });
  }

  for (const status of ['failed', 'cancelled', 'expired'] as const) {
    it(`retries a ${status} purchase: same package, same phone, one new prompt`, async () => {
      const p = await purchase(status);
      const r = await post(`/portal/retry/${p.id}`, '');
      expect(r.statusCode).toBe(303);
      const to = String(r.headers.location);
      expect(to).toMatch(/^\/portal\/wait\//);
      expect(to).not.toContain(p.id);
      expect(pushesTo(p.phone)).toBe(1);
    });
  }
});

describe('a request whose body never arrives', () => {
  let slow: App;
  beforeAll(async () => {
    slow = await createApp({
      config: testConfig({ HTTP_REQUEST_TIMEOUT_MS: '200' }),
      roles: ['serve'],
      log: silentLog(),
      database: h.t.database,
    });
  });
  afterAll(async () => {
    await slow.stop();
  });

  it('is cut off: the server answers 408 and closes the connection', async () => {
    const { port } = new URL(slow.url!.replace('0.0.0.0', '127.0.0.1'));
    const socket = connect(Number(port), '127.0.0.1');
    let received = '';
    socket.on('data', (d) => {
      received += d.toString('latin1');
    });
    // Headers promise 1000 bytes of form; only 10 ever come.
    socket.write(
      'POST /portal/buy HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n' +
        'Content-Length: 1000\r\n\r\nplan=1&pho',
    );
    // No clock here: the test passes when the server closes the socket (the test runner's own
    // timeout is the failure), whatever the exact moment.
    await new Promise<void>((resolve, reject) => {
      socket.once('close', () => resolve());
      socket.once('error', reject);
    });
    expect(received).toMatch(/^HTTP\/1\.1 408/);
  });
});
