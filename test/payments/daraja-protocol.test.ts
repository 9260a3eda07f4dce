/** The Daraja client against the simulator over real HTTP: tokens, push, query, C2B, callback shapes. */
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createDarajaClient,
  type DarajaClient,
  darajaTimestamp,
  memoryTokenStore,
  parseC2bNotification,
  parseDarajaTimestamp,
  parseStkCallback,
  sanitizeText,
  stkPassword,
} from '../../src/protocols/daraja/index.ts';
import { normalizePhone } from '../../src/lib/phone.ts';
import { DarajaSim } from '../../src/sim/daraja/engine.ts';
import { DEMO_APP, DEMO_MERCHANT, NO_FAULTS } from '../../src/sim/daraja/types.ts';
import { startDarajaSim } from '../../src/sim/daraja/standalone.ts';

let sim: DarajaSim;
let simApp: FastifyInstance;
let base: string;
let receiver: FastifyInstance;
let hookUrl: string;
const received: { path: string; body: any }[] = [];
let validationAnswer: unknown = { ResultCode: '0', ResultDesc: 'Accepted' };

const client = (o: Partial<Parameters<typeof createDarajaClient>[0]> = {}): DarajaClient =>
  createDarajaClient({
    baseUrl: base,
    consumerKey: DEMO_APP.consumerKey,
    consumerSecret: DEMO_APP.consumerSecret,
    shortcode: DEMO_MERCHANT.shortcode,
    passkey: DEMO_MERCHANT.passkey,
    type: 'paybill',
    timeoutMs: 5_000,
    ...o,
  });

const waitFor = async (pred: () => boolean, ms = 5_000) => {
  const until = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
};

beforeAll(async () => {
  sim = new DarajaSim({ autoDelayMs: 20, promptTimeoutMs: 300 });
  ({ app: simApp, url: base } = await startDarajaSim({ host: '127.0.0.1', port: 0, sim }));
  receiver = Fastify();
  receiver.post('/*', async (req) => {
    received.push({ path: req.url, body: req.body });
    return req.url.includes('validate') ? validationAnswer : { ResultCode: 0, ResultDesc: 'Accepted' };
  });
  const r = await receiver.listen({ host: '127.0.0.1', port: 0 });
  hookUrl = `${r}/hooks`;
});
afterAll(async () => {
  await simApp.close();
  await receiver.close();
});
beforeEach(() => {
  sim.faults = { ...NO_FAULTS };
  received.length = 0;
});

describe('wire helpers', () => {
  it('builds EAT timestamps and the password from the same value', () => {
    const at = new Date('2021-06-28T06:24:08Z');
    expect(darajaTimestamp(at)).toBe('20210628092408');
    expect(parseDarajaTimestamp('20210628092408')?.toISOString()).toBe(at.toISOString());
    expect(parseDarajaTimestamp(20191219102115)?.toISOString()).toBe('2019-12-19T07:21:15.000Z');
    expect(parseDarajaTimestamp('20260231000000')).toBeNull();
    expect(stkPassword('174379', DEMO_MERCHANT.passkey, '20210628092408')).toBe(
      'MTc0Mzc5YmZiMjc5ZjlhYTliZGJjZjE1OGU5N2RkNzFhNDY3Y2QyZTBjODkzMDU5YjEwZjc4ZTZiNzJhZGExZWQyYzkxOTIwMjEwNjI4MDkyNDA4',
    );
  });

  it('keeps AccountReference and TransactionDesc inside Daraja limits', () => {
    expect(sanitizeText('WiFi @ Mama #Njeri & Sons', 12, 'x')).toBe('WiFi Mama Nj');
    expect(sanitizeText('@@@', 13, 'WiFi')).toBe('WiFi');
    expect(sanitizeText('24 Hours unlimited', 13, 'x').length).toBeLessThanOrEqual(13);
  });

  it('normalises the phone forms people type', () => {
    for (const f of [
      '0712345678',
      '712345678',
      '+254712345678',
      '254712345678',
      '0712 345 678',
      '00254712345678',
      '+254 0712345678',
    ]) {
      expect(normalizePhone(f)).toBe('254712345678');
    }
    expect(normalizePhone('0110123456')).toBe('254110123456');
    expect(normalizePhone('0812345678')).toBeNull();
    expect(normalizePhone('07123')).toBeNull();
  });

  it('parses the documented callbacks by item name, tolerating Balance without Value and 1.00', () => {
    const ok = parseStkCallback({
      Body: {
        stkCallback: {
          MerchantRequestID: '29115-34620561-1',
          CheckoutRequestID: 'ws_CO_191220191020363925',
          ResultCode: 0,
          ResultDesc: 'The service request is processed successfully.',
          CallbackMetadata: {
            Item: [
              { Name: 'Amount', Value: 1.0 },
              { Name: 'MpesaReceiptNumber', Value: 'NLJ7RT61SV' },
              { Name: 'Balance' },
              { Name: 'TransactionDate', Value: 20191219102115 },
              { Name: 'PhoneNumber', Value: 254708374149 },
            ],
          },
        },
      },
    });
    expect(ok).toMatchObject({ resultCode: '0', amountKes: 1, receipt: 'NLJ7RT61SV', phone: '254708374149' });
    const fail = parseStkCallback({
      Body: {
        stkCallback: {
          MerchantRequestID: 'x',
          CheckoutRequestID: 'ws_CO_1',
          ResultCode: 1032,
          ResultDesc: 'Request cancelled by user',
        },
      },
    });
    expect(fail).toMatchObject({ resultCode: '1032', amountKes: null, receipt: null });
    expect(parseStkCallback({ hello: 1 })).toBeNull();
    expect(parseStkCallback({ Body: { stkCallback: { ResultCode: 0 } } })).toBeNull();
    const c2b = parseC2bNotification({
      TransID: 'rkl51zdr4f',
      TransAmount: '5.00',
      BillRefNumber: ' W7K3 ',
      MSISDN: '2547 ***** 126',
    });
    expect(c2b).toMatchObject({ transId: 'RKL51ZDR4F', amountKes: 5, billRefNumber: 'W7K3' });
  });
});

describe('OAuth', () => {
  it('fetches one token for many concurrent calls and reuses it', async () => {
    const c = client();
    const before = sim.stats.pushes;
    const tokens = await Promise.all(Array.from({ length: 10 }, () => c.token()));
    const values = new Set(tokens.map((t) => (t.ok ? t.token : 'err')));
    expect(values.size).toBe(1);
    expect(values.has('err')).toBe(false);
    expect(sim.stats.pushes).toBe(before);
  });

  it('answers expires_in as the string "3599" and refuses bad credentials like Daraja', async () => {
    const basic = Buffer.from(`${DEMO_APP.consumerKey}:${DEMO_APP.consumerSecret}`).toString('base64');
    const r = await fetch(`${base}/oauth/v1/generate?grant_type=client_credentials`, {
      headers: { authorization: `Basic ${basic}` },
    });
    expect((await r.json()).expires_in).toBe('3599');
    const bad = await client({ consumerSecret: 'nope' }).token();
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error).toMatchObject({ kind: 'auth_failed', errorCode: '400.008.01' });
    const grant = await fetch(`${base}/oauth/v1/generate?grant_type=password`, {
      headers: { authorization: `Basic ${basic}` },
    });
    expect((await grant.json()).errorCode).toBe('400.008.02');
  });

  it('refreshes once and retries once on 404.001.03 Invalid Access Token', async () => {
    const c = client();
    await c.token();
    sim.expireTokens();
    const r = await c.stkPush({
      amountKes: 5,
      phone: '254711000001',
      callbackUrl: `${hookUrl}/stk/a`,
      accountReference: 'R1',
      description: 'WiFi',
    });
    expect(r.ok).toBe(true);
    await sim.flush();
  });

  it('a token fetched elsewhere revokes ours; a shared store keeps two nodes on one token', async () => {
    const a = client();
    const b = client();
    const ta = await a.token();
    await b.token(); // revokes a's token (one token per app)
    const raw = await fetch(`${base}/mpesa/stkpushquery/v1/query`, {
      method: 'POST',
      headers: { authorization: `Bearer ${(ta as any).token}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect((await raw.json()).errorCode).toBe('404.001.03');
    const store = memoryTokenStore();
    const n1 = client({ tokenStore: store });
    const n2 = client({ tokenStore: store });
    const t1 = await n1.token();
    const t2 = await n2.token();
    expect((t1 as any).token).toBe((t2 as any).token);
    const [q1, q2] = await Promise.all([n1.stkQuery('ws_CO_none'), n2.stkQuery('ws_CO_none')]);
    // Both reached Daraja with a valid token (the answer is about the id, not the token).
    expect(q1.ok === false && q1.error.kind).toBe('bad_request');
    expect(q2.ok === false && q2.error.kind).toBe('bad_request');
  });
});

describe('STK push and query', () => {
  it('push → pending query (HTTP 500 500.001.1001) → callback → final query with string ResultCode', async () => {
    sim.defaultPlan = { kind: 'manual' };
    const c = client();
    const push = await c.stkPush({
      amountKes: 20,
      phone: '254712000100',
      callbackUrl: `${hookUrl}/stk/s`,
      accountReference: 'W12345',
      description: '1 Hour WiFi',
    });
    expect(push.ok).toBe(true);
    if (!push.ok) return;
    expect(push.checkoutRequestId).toMatch(/^ws_CO_\d{17}712000100$/);
    expect(push.merchantRequestId).toMatch(/^[0-9a-f]{4}-/);
    const q1 = await c.stkQuery(push.checkoutRequestId);
    expect(q1).toMatchObject({ ok: true, state: 'pending', resultCode: null });
    expect(sim.prompts().map((t) => t.checkoutRequestId)).toContain(push.checkoutRequestId);
    sim.act(push.checkoutRequestId, 'pay');
    await waitFor(() => received.length === 1);
    const cb = received[0]!.body.Body.stkCallback;
    expect(cb.ResultCode).toBe(0);
    const items = cb.CallbackMetadata.Item;
    expect(items.find((i: any) => i.Name === 'Balance')).toEqual({ Name: 'Balance' });
    expect(typeof items.find((i: any) => i.Name === 'PhoneNumber').Value).toBe('number');
    expect(typeof items.find((i: any) => i.Name === 'TransactionDate').Value).toBe('number');
    expect(items.find((i: any) => i.Name === 'MpesaReceiptNumber').Value).toMatch(/^[A-Z0-9]{10}$/);
    const q2 = await c.stkQuery(push.checkoutRequestId);
    expect(q2).toMatchObject({ ok: true, state: 'final', resultCode: '0' });
    sim.defaultPlan = { kind: 'result', code: 0 };
  });

  it('sends failure callbacks without CallbackMetadata', async () => {
    const c = client();
    const push = await c.stkPush({
      amountKes: 20,
      phone: '254712001032',
      callbackUrl: `${hookUrl}/stk/f`,
      accountReference: 'W1',
      description: 'WiFi',
    });
    expect(push.ok).toBe(true);
    await waitFor(() => received.length === 1);
    const cb = received[0]!.body.Body.stkCallback;
    expect(cb).toMatchObject({ ResultCode: 1032, ResultDesc: 'Request cancelled by user' });
    expect(cb.CallbackMetadata).toBeUndefined();
  });

  it('reports 4999 as pending, then the prompt times out with 1037', async () => {
    const c = client();
    const push = await c.stkPush({
      amountKes: 20,
      phone: '254712004999',
      callbackUrl: `${hookUrl}/stk/x`,
      accountReference: 'W1',
      description: 'WiFi',
    });
    if (!push.ok) throw new Error('push failed');
    expect(await c.stkQuery(push.checkoutRequestId)).toMatchObject({
      ok: true,
      state: 'pending',
      resultCode: '4999',
    });
    await waitFor(() => received.length === 1);
    expect(await c.stkQuery(push.checkoutRequestId)).toMatchObject({
      ok: true,
      state: 'final',
      resultCode: '1037',
    });
  });

  it('maps synchronous errors to typed results', async () => {
    const c = client();
    const push = await c.stkPush({
      amountKes: 20,
      phone: '254712000200',
      callbackUrl: `${hookUrl}/stk/a`,
      accountReference: 'W1',
      description: 'WiFi',
    });
    expect(push.ok).toBe(true);
    sim.defaultPlan = { kind: 'manual' };
    const p2 = await c.stkPush({
      amountKes: 20,
      phone: '254712000201',
      callbackUrl: `${hookUrl}/stk/a`,
      accountReference: 'W1',
      description: 'WiFi',
    });
    const locked = await c.stkPush({
      amountKes: 50,
      phone: '254712000201',
      callbackUrl: `${hookUrl}/stk/a`,
      accountReference: 'W1',
      description: 'WiFi',
    });
    expect(locked.ok === false && locked.error.kind).toBe('subscriber_locked');
    if (p2.ok) sim.act(p2.checkoutRequestId, 'cancel');
    sim.defaultPlan = { kind: 'result', code: 0 };
    const wrong = await client({ passkey: 'not-the-passkey' }).stkPush({
      amountKes: 20,
      phone: '254712000202',
      callbackUrl: `${hookUrl}/a`,
      accountReference: 'W1',
      description: 'WiFi',
    });
    expect(wrong.ok === false && wrong.error.kind).toBe('wrong_credentials');
    const unknown = await client({ shortcode: '999999' }).stkQuery('ws_CO_nope');
    expect(unknown.ok === false && unknown.error.kind).toBe('unknown_merchant');
    const badId = await c.stkQuery('ws_CO_000');
    expect(badId.ok === false && badId.error).toMatchObject({
      kind: 'bad_request',
      field: 'CheckoutRequestID',
    });
    const word = await c.stkPush({
      amountKes: 20,
      phone: '254712000203',
      callbackUrl: 'https://x.example/mpesa/cb',
      accountReference: 'W',
      description: 'W',
    });
    expect(word.ok === false && word.error).toMatchObject({ kind: 'bad_request', field: 'CallBackURL' });
    await sim.flush();
  });

  it('the simulator validates fields like Daraja (raw requests)', async () => {
    const t = await client().token();
    const auth = { authorization: `Bearer ${(t as any).token}`, 'content-type': 'application/json' };
    const ts = darajaTimestamp(new Date());
    const good = {
      BusinessShortCode: '174379',
      Password: stkPassword('174379', DEMO_MERCHANT.passkey, ts),
      Timestamp: ts,
      TransactionType: 'CustomerPayBillOnline',
      Amount: '1',
      PartyA: '254712000300',
      PartyB: '174379',
      PhoneNumber: '254712000300',
      CallBackURL: `${hookUrl}/stk/raw`,
      AccountReference: 'accountref',
      TransactionDesc: 'txndesc',
    };
    const post = async (b: unknown, headers: Record<string, string> = auth) => {
      const r = await fetch(`${base}/mpesa/stkpush/v1/processrequest`, {
        method: 'POST',
        headers,
        body: JSON.stringify(b),
      });
      return { status: r.status, body: (await r.json()) as any };
    };
    const cases: [Record<string, unknown>, string][] = [
      [{ AccountReference: 'thirteenchars' }, 'Bad Request - Invalid AccountReference'],
      [{ TransactionDesc: null }, 'Bad Request - Invalid Remarks'],
      [{ TransactionDesc: 'fourteen chars' }, 'Bad Request - Invalid Remarks'],
      [{ Amount: '1.5' }, 'Bad Request - Invalid Amount'],
      [{ Amount: 250001 }, 'Bad Request - Invalid Amount'],
      [{ PhoneNumber: '0712000300' }, 'Bad Request - Invalid PhoneNumber'],
      [{ CallBackURL: `${hookUrl}/Safaricom` }, 'Bad Request - Invalid CallBackURL'],
      [{ CallBackURL: ` ${hookUrl}` }, 'Bad Request - Invalid CallBackURL'],
      [{ CallBackURL: `${hookUrl}/run.exe` }, 'Bad Request - Invalid CallBackURL'],
      [{ Timestamp: '2021' }, 'Bad Request - Invalid Timestamp'],
    ];
    for (const [patch, msg] of cases) {
      const r = await post({ ...good, ...patch });
      expect(r.status, msg).toBe(400);
      expect(r.body).toMatchObject({ errorCode: '400.002.02', errorMessage: msg });
    }
    const form = await fetch(`${base}/mpesa/stkpush/v1/processrequest`, {
      method: 'POST',
      headers: { authorization: auth.authorization, 'content-type': 'text/plain' },
      body: 'x',
    });
    expect((await form.json()).errorMessage).toBe('Bad Request - Invalid BusinessShortCode');
    const noAuth = await post(good, { 'content-type': 'application/json' });
    expect(noAuth.body.errorCode).toBe('404.001.04');
    const ok = await post(good);
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({
      ResponseCode: '0',
      ResponseDescription: 'Success. Request accepted for processing',
    });
    await sim.flush();
  });

  it('rule 17: the same amount to the same phone within two minutes', async () => {
    const c = client();
    const a = await c.stkPush({
      amountKes: 77,
      phone: '254712000400',
      callbackUrl: `${hookUrl}/stk/a`,
      accountReference: 'W',
      description: 'W',
    });
    expect(a.ok).toBe(true);
    await waitFor(() => received.length === 1);
    const b = await c.stkPush({
      amountKes: 77,
      phone: '254712000400',
      callbackUrl: `${hookUrl}/stk/b`,
      accountReference: 'W',
      description: 'W',
    });
    expect(b.ok).toBe(true);
    await waitFor(() => received.length === 2);
    expect(received[1]!.body.Body.stkCallback.ResultCode).toBe(17);
  });

  it('spike arrest: HTTP 429 maps to rate_limited with a retry hint', async () => {
    sim.faults = { ...NO_FAULTS, queryLimit: { max: 2, windowMs: 60_000 } };
    const c = client();
    const push = await c.stkPush({
      amountKes: 20,
      phone: '254712000510',
      callbackUrl: `${hookUrl}/stk/a`,
      accountReference: 'W',
      description: 'W',
    });
    if (!push.ok) throw new Error('push');
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push(await c.stkQuery(push.checkoutRequestId));
    const last = answers[2]!;
    expect(last.ok).toBe(false);
    if (!last.ok) {
      expect(last.error.kind).toBe('rate_limited');
      expect(last.error.kind === 'rate_limited' && last.error.retryAfterMs).toBeGreaterThan(0);
    }
    await sim.flush();
  });

  it('times out slow calls with a typed timeout', async () => {
    const slow = Fastify();
    slow.get('/oauth/v1/generate', async () => new Promise((r) => setTimeout(() => r({}), 2_000)));
    const url = await slow.listen({ host: '127.0.0.1', port: 0 });
    const c = createDarajaClient({
      baseUrl: url,
      consumerKey: 'k',
      consumerSecret: 's',
      shortcode: '174379',
      passkey: 'p',
      type: 'paybill',
      timeoutMs: 100,
    });
    const r = await c.token();
    expect(r.ok === false && r.error.kind).toBe('timeout');
    await slow.close();
  });
});

describe('C2B', () => {
  it('registers URLs (refusing forbidden words) and runs validation then confirmation with masked MSISDN', async () => {
    const c = client();
    const bad = await fetch(`${base}/mpesa/c2b/v2/registerurl`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${((await c.token()) as any).token}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({
        ShortCode: '174379',
        ResponseType: 'Completed',
        ConfirmationURL: 'https://x.example/mpesa/c',
        ValidationURL: 'https://x.example/v',
      }),
    });
    expect((await bad.json()).errorMessage).toContain('URL has the word MPESA');
    const reg = await c.registerC2bUrls({
      confirmationUrl: `${hookUrl}/confirm`,
      validationUrl: `${hookUrl}/validate`,
    });
    expect(reg.ok).toBe(true);
    const s = await c.c2bSimulate({ amountKes: 50, phone: '254712345126', billRefNumber: 'W7K3PQ' });
    expect(s.ok).toBe(true);
    await waitFor(() => received.length === 2);
    expect(received[0]!.path).toContain('validate');
    const conf = received[1]!.body;
    expect(conf).toMatchObject({
      TransactionType: 'Pay Bill',
      TransAmount: '50.00',
      BillRefNumber: 'W7K3PQ',
      MSISDN: '2547 ***** 126',
    });
    expect(conf.OrgAccountBalance).not.toBe('');
    validationAnswer = { ResultCode: 'C2B00012', ResultDesc: 'Rejected' };
    received.length = 0;
    await c.c2bSimulate({ amountKes: 50, phone: '254712345126', billRefNumber: 'nothing' });
    // The simulator is done with this payment (validation asked, nothing else scheduled)…
    await sim.idle();
    // …and rejected at validation, it sent no confirmation.
    expect(received.map((r) => r.path)).toEqual([expect.stringContaining('validate')]);
    validationAnswer = { ResultCode: '0', ResultDesc: 'Accepted' };
  });
});
