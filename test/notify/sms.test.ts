import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, createApp } from '../../src/app/run.ts';
import { migrate, migrationFiles } from '../../src/db/migrate.ts';
import { query } from '../../src/db/open.ts';
import { ManualClock } from '../../src/lib/clock.ts';
import { SMS_MAX_ATTEMPTS } from '../../src/notify/module.ts';
import { queueSms } from '../../src/notify/queue-sms.ts';
import { classifyAtStatus, parseAtResponse } from '../../src/protocols/sms/africastalking.ts';
import { gsm7Length } from '../../src/protocols/sms/gsm7.ts';
import { renderSms, SMS_LANGS } from '../../src/notify/templates.ts';
import { SimSmsGateway } from '../../src/sim/sms-gateway.ts';
import { silentLog, startDrainedApp, testConfig } from '../helpers/app.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { atAccepted, atRecipientStatus, startFakeAt } from './fake-at.ts';
import { SMS_SEND_JOB } from '../../src/notify/job-kinds.ts';

type Row = {
  status: string;
  attempts: number;
  last_error: string | null;
  provider_id: string | null;
  sent_at: unknown;
  failed_at: unknown;
};

async function smsRow(app: App, id: string): Promise<Row> {
  const [r] = await query<Row>(
    app.deps.db,
    sql`SELECT status, attempts, last_error, provider_id, sent_at, failed_at FROM sms_messages WHERE id = ${id}`,
  );
  return r!;
}

async function queue(app: App, to: string, body: string, code = 'ACDEFGHJKM'): Promise<string> {
  return app.deps.db.transaction((tx) => queueSms(tx, app.deps, { to, body, code, template: 'code' }));
}

/** Run due jobs, moving the clock past the longest backoff each round, until nothing is left. */
async function drainAll(app: App, clock: ManualClock, rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    await app.worker!.drain();
    const [{ n }] = (await query<{ n: number }>(
      app.deps.db,
      sql`SELECT count(*)::int AS n FROM jobs WHERE status = 'queued' AND kind = 'sms.send'`,
    )) as [{ n: number }];
    if (Number(n) === 0) return;
    clock.advance(11 * 60_000);
  }
}

describe('SMS templates', () => {
  const long = {
    business: 'Mama Njeri Cyber & Hostel WiFi Services Limited of Kahawa Sukari',
    code: 'ACDEFGHJKM',
    plan: '24 Hours Unlimited',
    supportPhone: '0712 345 678',
    from: '0712***678',
    amountKes: 250000,
    receipt: 'SGK3ABCDEF',
  };
  for (const lang of SMS_LANGS) {
    for (const t of ['code', 'gift', 'receipt'] as const) {
      it(`${t}/${lang} fits one GSM-7 SMS with the longest values and keeps the code whole`, () => {
        const text = renderSms(t, lang, long);
        expect(gsm7Length(text)).not.toBeNull();
        expect(gsm7Length(text)!).toBeLessThanOrEqual(160);
        expect(text).toContain('ACDEFGHJKM');
        const short = renderSms(t, lang, { ...long, business: 'Wavu WiFi' });
        expect(short).toContain('Wavu WiFi');
        expect(short).toContain('0712 345 678');
      });
    }
  }
  for (const lang of SMS_LANGS) {
    it(`reminder/${lang} fits one SMS, cutting the name and then the address, never how to pay or stop`, () => {
      const v = {
        business: long.business,
        minutes: 1440,
        pay: 'Paybill 4123456',
        url: 'https://wifi.example.co.ke/portal',
      };
      const text = renderSms('reminder', lang, v);
      expect(gsm7Length(text)!).toBeLessThanOrEqual(160);
      expect(text).toContain('Paybill 4123456');
      expect(text).toContain(lang === 'en' ? 'STOP' : 'ACHA');
      const short = renderSms('reminder', lang, { ...v, business: 'Wavu WiFi', minutes: 10 });
      expect(short).toContain('https://wifi.example.co.ke/portal');
      expect(renderSms('reminder', lang, { ...v, pay: null, url: null })).not.toContain(':  ');
    });
  }

  it('a voucher with its own password is texted with it, and the longest pair still fits one SMS', () => {
    for (const lang of SMS_LANGS) {
      for (const t of ['code', 'gift'] as const) {
        const text = renderSms(t, lang, { ...long, code: 'mh7k2q9x', password: '4821' });
        expect(text).toContain('mh7k2q9x');
        expect(text).toMatch(/(password|nenosiri) 4821/);
        const huge = renderSms(t, lang, { ...long, code: 'U'.repeat(64), password: 'P'.repeat(64) });
        expect(gsm7Length(huge)!).toBeLessThanOrEqual(160);
        expect(huge).toContain('U'.repeat(64));
        expect(huge).toContain('P'.repeat(64));
      }
    }
    expect(renderSms('code', 'en', { ...long, code: 'ACDEFGHJKM' })).not.toMatch(/password/);
  });
  it('makes non-GSM characters safe instead of switching the SMS to UCS-2', () => {
    const text = renderSms('code', 'en', {
      business: 'Kibanda ☕ “Café”',
      code: 'ACDEFGHJKM',
      plan: '1 Hour',
    });
    expect(gsm7Length(text)).not.toBeNull();
    expect(text).toContain('Kibanda');
  });
});

describe("Africa's Talking wire format", () => {
  it('parses the documented answer and classifies status codes', () => {
    const p = parseAtResponse(atAccepted('ATXid_1').body)!;
    expect(p.recipients[0]).toMatchObject({ statusCode: 101, messageId: 'ATXid_1' });
    expect(parseAtResponse({ nope: 1 })).toBeNull();
    expect([100, 101, 102].map(classifyAtStatus)).toEqual(['accepted', 'accepted', 'accepted']);
    expect([402, 403, 404, 406, 409].map(classifyAtStatus).every((o) => o === 'permanent')).toBe(true);
    expect([401, 405, 407, 500, 501, 502].map(classifyAtStatus).every((o) => o === 'retryable')).toBe(true);
  });
});

describe("delivery through Africa's Talking (real HTTP)", () => {
  let t: TestDatabase;
  let app: App;
  let at: Awaited<ReturnType<typeof startFakeAt>>;
  const clock = new ManualClock('2026-03-01T08:00:00Z');
  beforeAll(async () => {
    at = await startFakeAt();
    t = await createTestDatabase();
    app = await createApp({
      config: testConfig({
        SMS_PROVIDER: 'africastalking',
        AT_USERNAME: 'wavu-test',
        AT_API_KEY: 'at-key-123',
        AT_SENDER_ID: 'WAVU',
        AT_BASE_URL: at.url,
      }),
      roles: ['worker'],
      log: silentLog(),
      clock,
      database: t.database,
      workerOptions: { pollMs: 60_000 },
    });
    // The test drives the worker by hand (drain), not the background loop.
    await app.worker!.stop();
  });
  afterAll(async () => {
    await app.stop();
    await t.drop();
    await at.close();
  });

  it('retries after gateway errors, then records the message as sent', async () => {
    at.requests.length = 0;
    at.script.push(
      { status: 500, body: 'Internal Server Error' },
      atRecipientStatus(407, 'CouldNotRoute'),
      atAccepted('ATXid_ok1'),
    );
    const id = await queue(app, '254712345678', 'Your code is ACDEFGHJKM');
    await drainAll(app, clock);
    const r = await smsRow(app, id);
    expect(r).toMatchObject({ status: 'sent', attempts: 3, provider_id: 'ATXid_ok1' });
    expect(r.sent_at).not.toBeNull();
    expect(at.requests).toHaveLength(3);
    const req = at.requests[0]!;
    expect(req.path).toBe('/version1/messaging');
    expect(req.headers.apikey).toBe('at-key-123');
    expect(req.headers.accept).toBe('application/json');
    expect(req.form).toEqual({
      username: 'wavu-test',
      to: '+254712345678',
      message: 'Your code is ACDEFGHJKM',
      from: 'WAVU',
    });
  });

  it('fails at once on a permanent error and does not retry it', async () => {
    at.requests.length = 0;
    at.script.push(atRecipientStatus(403, 'InvalidPhoneNumber'));
    const id = await queue(app, '254712345679', 'hello');
    await drainAll(app, clock);
    const r = await smsRow(app, id);
    expect(r).toMatchObject({ status: 'failed', attempts: 1 });
    expect(r.last_error).toContain('InvalidPhoneNumber');
    // It will never be sent: the sealed text is gone too.
    const [sealed] = await query<{ body_sealed: string | null }>(
      app.deps.db,
      sql`SELECT body_sealed FROM sms_messages WHERE id = ${id}`,
    );
    expect(sealed!.body_sealed).toBeNull();
    expect(r.failed_at).not.toBeNull();
    expect(at.requests).toHaveLength(1);
  });

  it('gives up after the last attempt when the gateway never recovers', async () => {
    at.requests.length = 0;
    at.fallback.answer = { status: 503, body: 'down' };
    try {
      const id = await queue(app, '254712345670', 'hello');
      await drainAll(app, clock, 40);
      const r = await smsRow(app, id);
      expect(r).toMatchObject({ status: 'failed', attempts: SMS_MAX_ATTEMPTS });
      expect(r.last_error).toContain('503');
      expect(at.requests).toHaveLength(SMS_MAX_ATTEMPTS);
    } finally {
      at.fallback.answer = atAccepted();
    }
  });

  it('keeps the code sealed at rest, sends the real text, then keeps only the masked one', async () => {
    at.requests.length = 0;
    at.script.push(atAccepted('ATXid_sealed'));
    const text = 'Wavu: your WiFi code is ACDEFGHJKM (1 Hour). Join the WiFi and type it.';
    const id = await queue(app, '254712345672', text, 'ACDEFGHJKM');
    const stored = async () =>
      (
        await query<Record<string, unknown>>(app.deps.db, sql`SELECT * FROM sms_messages WHERE id = ${id}`)
      )[0]!;
    const before = await stored();
    expect(JSON.stringify(before)).not.toContain('ACDEFGHJKM');
    expect(before.body).toBe('Wavu: your WiFi code is ********** (1 Hour). Join the WiFi and type it.');
    expect(app.deps.sealer.unseal(String(before.body_sealed))).toBe(text);
    await drainAll(app, clock);
    expect(at.requests.map((r) => r.form.message)).toEqual([text]);
    const after = await stored();
    expect(after).toMatchObject({ status: 'sent', body_sealed: null, body: before.body });
  });

  it('sends a text queued before texts were sealed as stored, and masks its code afterwards', async () => {
    at.requests.length = 0;
    at.script.push(atAccepted('ATXid_legacy'));
    const id = randomUUID();
    const text = 'Wavu: received KES 50 for 1 Hour, M-Pesa SGK3ABCDEF. Your WiFi code: ACDEFGHJKM.';
    await app.deps.db.execute(
      sql`INSERT INTO sms_messages (id, to_phone, body, template, created_at)
          VALUES (${id}, '254712345673', ${text}, 'receipt', ${clock.now()})`,
    );
    await app.deps.enqueue(app.deps.db, SMS_SEND_JOB, { smsId: id });
    await drainAll(app, clock);
    expect(at.requests.map((r) => r.form.message)).toEqual([text]);
    const [row] = await query<{ status: string; body: string }>(
      app.deps.db,
      sql`SELECT status, body FROM sms_messages WHERE id = ${id}`,
    );
    expect(row).toEqual({
      status: 'sent',
      body: 'Wavu: received KES 50 for 1 Hour, M-Pesa SGK3ABCDEF. Your WiFi code: *****.',
    });
  });

  it('never sends a message twice: a duplicate job for a sent row does nothing', async () => {
    at.requests.length = 0;
    const id = await queue(app, '254712345671', 'once');
    await drainAll(app, clock);
    expect((await smsRow(app, id)).status).toBe('sent');
    await app.deps.enqueue(app.deps.db, SMS_SEND_JOB, { smsId: id });
    await app.deps.enqueue(app.deps.db, SMS_SEND_JOB, { smsId: id });
    await drainAll(app, clock);
    expect(at.requests).toHaveLength(1);
    expect((await smsRow(app, id)).attempts).toBe(1);
  });
});

describe('SMS simulator inbox', () => {
  let t: TestDatabase;
  let app: App;
  const clock = new ManualClock('2026-03-01T08:00:00Z');
  beforeAll(async () => {
    ({ t, app } = await startDrainedApp(clock));
  });
  afterAll(async () => {
    await app.stop();
    await t.drop();
  });

  it('is the provider in demo mode, shows messages newest first and can inject failures', async () => {
    expect(app.deps.sms.sim).toBeInstanceOf(SimSmsGateway);
    expect(await app.deps.sms.current()).toBe(app.deps.sms.sim);
    const f = await app.server!.inject({
      method: 'POST',
      url: '/sim/sms/faults',
      payload: { kind: 'retryable', count: 2 },
    });
    expect(f.json()).toEqual({ pendingFaults: 2 });
    const a = await queue(app, '254712000001', 'first <message>');
    await drainAll(app, clock);
    expect(await smsRow(app, a)).toMatchObject({ status: 'sent', attempts: 3 });

    await app.server!.inject({
      method: 'POST',
      url: '/sim/sms/faults',
      payload: { kind: 'permanent', count: 1 },
    });
    const b = await queue(app, '254712000002', 'never arrives');
    await drainAll(app, clock);
    expect(await smsRow(app, b)).toMatchObject({ status: 'failed', attempts: 1 });

    await queue(app, '254712000001', 'second message');
    await drainAll(app, clock);
    const list = (await app.server!.inject('/sim/sms/messages?to=0712000001')).json();
    expect(list.messages.map((m: { body: string }) => m.body)).toEqual(['second message', 'first <message>']);
    const page = await app.server!.inject('/sim/sms');
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body.indexOf('second message')).toBeLessThan(page.body.indexOf('first &lt;message&gt;'));
    expect(page.body).not.toContain('never arrives');
  });
});

describe('SMS texts stored before they were sealed', () => {
  it('the migration masks the codes of messages already sent and leaves queued ones to be sent', async () => {
    const t = await createTestDatabase({ migrate: false });
    try {
      const dir = fileURLToPath(new URL('../../src/db/migrations/', import.meta.url));
      // The schema as it was just before texts were sealed.
      await t.database.script(1, async (exec) => {
        for (const f of migrationFiles().filter((f) => f < '0740')) await exec(readFileSync(dir + f, 'utf8'));
        await exec(
          `CREATE TABLE schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now());
           INSERT INTO schema_migrations (name) VALUES ${migrationFiles()
             .filter((f) => f < '0740')
             .map((f) => `('${f}')`)
             .join(', ')};
           INSERT INTO sms_messages (id, to_phone, body, status) VALUES
             ('00000000-0000-4000-8000-000000000001', '254712000011',
              'Wavu: your WiFi code is ACDEFGHJKM (1 Hour). Join the WiFi and type it to get online.', 'sent'),
             ('00000000-0000-4000-8000-000000000002', '254712000012',
              'Wavu: nambari yako ya WiFi ni ACDEF-GHJKM (Saa 1). Unganisha WiFi uiandike uingie mtandaoni.', 'failed'),
             ('00000000-0000-4000-8000-000000000003', '254712000013',
              '0712***678 bought you 1 Hour of WiFi at Wavu. Code: STOCK00001. Join the WiFi and type the code.', 'queued');`,
        );
      });
      expect(await migrate(t.database)).toContain('0740_privacy.sql');
      const rows = await query<{ body: string }>(
        t.database.db,
        sql`SELECT body FROM sms_messages ORDER BY id`,
      );
      expect(rows.map((r) => r.body)).toEqual([
        'Wavu: your WiFi code is ***** (1 Hour). Join the WiFi and type it to get online.',
        'Wavu: nambari yako ya WiFi ni ***** (Saa 1). Unganisha WiFi uiandike uingie mtandaoni.',
        '0712***678 bought you 1 Hour of WiFi at Wavu. Code: STOCK00001. Join the WiFi and type the code.',
      ]);
    } finally {
      await t.drop();
    }
  });
});
