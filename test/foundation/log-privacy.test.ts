/**
 * A failing query must not put its parameters in the log: not the phone, the M-Pesa receipt or
 * the text of an SMS with its access code. Real database errors on real paths (an STK callback
 * that credits a purchase, a code recovery by phone), logged by the production logger.
 */
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateAccessCode, hashCode } from '../../src/access/codes.ts';
import { type App, createApp } from '../../src/app/run.ts';
import { DbError, redactValues } from '../../src/lib/db-error.ts';
import { query } from '../../src/db/open.ts';
import { ManualClock } from '../../src/lib/clock.ts';
import { createLogger } from '../../src/lib/log.ts';
import { newRef } from '../../src/payments/ref.ts';
import { CODE_ALPHABET } from '../../src/lib/random.ts';
import { TEST_CALLBACK_SECRET, testConfig } from '../helpers/app.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { insertPendingStk, stkPaidBody } from '../helpers/stk.ts';

const clock = new ManualClock('2026-03-04T09:00:00Z');
let t: TestDatabase;
let app: App;
let logged = '';
const sink = new Writable({
  write(chunk, _enc, done) {
    logged += chunk.toString();
    done();
  },
});

/** Any access code, dashed or not: the one in a rolled-back SMS is never known to the test. */
const CODE_SHAPE = new RegExp(`[${CODE_ALPHABET}]{5}-?[${CODE_ALPHABET}]{5}`);
/**
 * The log without its numeric fields: the code alphabet holds digits, so a float such as
 * "responseTime":49.56744499999968 would look like a code.
 */
const withoutNumbers = (log: string) => log.replace(/"[A-Za-z]+":-?\d+(\.\d+)?/g, '');

beforeAll(async () => {
  t = await createTestDatabase();
  app = await createApp({
    config: testConfig(),
    roles: ['serve'],
    log: createLogger('info', sink),
    clock,
    database: t.database,
    listen: false,
  });
  // Every SMS insert now fails, and PostgreSQL's detail repeats the whole row ("Failing row
  // contains (…, 254…, <text with the code>, …)"). NOT VALID: existing rows are not checked.
  await app.deps.db.execute(
    sql`ALTER TABLE sms_messages ADD CONSTRAINT test_no_sms CHECK (to_phone = 'nobody') NOT VALID`,
  );
});
afterAll(async () => {
  await app?.stop();
  await t?.drop();
});

async function plan(): Promise<{ id: number; price: number }> {
  const [p] = await query<{ id: number; price_kes: number }>(
    app.deps.db,
    sql`SELECT id, price_kes FROM plans WHERE active ORDER BY price_kes LIMIT 1`,
  );
  return { id: p!.id, price: p!.price_kes };
}

describe('database errors in the log', () => {
  it('an STK callback whose crediting fails logs no phone, receipt or code', async () => {
    const p = await plan();
    const phone = '254712398765';
    const receipt = 'SB0ZLOIBQ1'; // letters outside the code alphabet: cannot pass for a code
    const { checkout } = await insertPendingStk(app.deps.db, {
      planId: p.id,
      phone,
      amountKes: p.price,
      at: clock.now(),
    });
    logged = '';
    const res = await app.server!.inject({
      method: 'POST',
      url: `/callbacks/stk/${TEST_CALLBACK_SECRET}`,
      payload: stkPaidBody({ checkout, amountKes: p.price, receipt, phone }) as object,
    });
    expect(res.statusCode).toBe(200);
    // The failure was logged, with what an operator needs…
    expect(logged).toContain('STK callback processing failed');
    expect(logged).toContain('test_no_sms');
    expect(logged).toContain('23514');
    // …and none of the values.
    expect(logged).not.toContain(phone);
    expect(logged).not.toContain(phone.slice(3));
    expect(logged).not.toContain(receipt);
    expect(withoutNumbers(logged)).not.toMatch(CODE_SHAPE);
    expect(logged).not.toContain('WiFi code');
  });

  it('a code recovery whose SMS cannot be stored answers 500 and logs no phone or code', async () => {
    const p = await plan();
    const phone = '254712398766';
    const code = generateAccessCode();
    const codeId = randomUUID();
    await app.deps.db.execute(
      sql`INSERT INTO access_codes (id, code_hash, code_sealed, plan_id, kind, devices, clock, duration_seconds)
          VALUES (${codeId}, ${hashCode(app.deps.sealer, code)}, ${app.deps.sealer.seal(code)}, ${p.id},
                  'purchase', 1, 'wall', 3600)`,
    );
    await app.deps.db.execute(
      sql`INSERT INTO purchases (id, ref, plan_id, phone, amount_kes, channel, purpose, status, paid_at,
                                 access_code_id, created_at, updated_at)
          VALUES (${randomUUID()}, ${newRef()}, ${p.id}, ${phone}, ${p.price}, 'stk', 'access', 'paid',
                  ${clock.now()}, ${codeId}, ${clock.now()}, ${clock.now()})`,
    );
    logged = '';
    const res = await app.server!.inject({
      method: 'POST',
      url: '/api/access/recover',
      payload: { phone, amountKes: p.price, day: '2026-03-04', mac: 'AA:BB:CC:00:11:22' },
    });
    expect(res.statusCode).toBe(500);
    expect(logged).toContain('unhandled error');
    expect(logged).toContain('test_no_sms');
    expect(logged).not.toContain(phone);
    expect(logged).not.toContain(phone.slice(3));
    expect(logged).not.toContain(code);
    expect(withoutNumbers(logged)).not.toMatch(CODE_SHAPE);
  });

  it('the error itself carries no values, whoever stores or prints it', async () => {
    const phone = '254712398767';
    const e = await app.deps.db
      .execute(
        sql`INSERT INTO sms_messages (id, to_phone, body, created_at)
            VALUES (${randomUUID()}, ${phone}, ${'secret text ABCDE-FGHJK'}, ${clock.now()})`,
      )
      .catch((x: unknown) => x);
    expect(e).toBeInstanceOf(DbError);
    const err = e as DbError;
    expect(err).toMatchObject({ code: '23514', constraint: 'test_no_sms', table: 'sms_messages' });
    // The job worker keeps `message` as last_error; loggers print the own fields and the stack.
    const everything = `${err.message}\n${err.stack}\n${JSON.stringify(err)}\n${String(err.detail)}`;
    expect(everything).not.toContain(phone);
    expect(everything).not.toContain('ABCDE-FGHJK');
    expect(err.query).toContain('INSERT INTO sms_messages');
  });

  it('masks the values PostgreSQL quotes in a detail', () => {
    expect(redactValues('Key (phone)=(254712345678) already exists.', [])).toBe(
      'Key (phone)=([redacted]) already exists.',
    );
    expect(redactValues('invalid input syntax for type uuid: "2547123"', ['2547123'])).toBe(
      'invalid input syntax for type uuid: "[redacted]"',
    );
    // A value that is also part of a name PostgreSQL reports leaves the name whole.
    expect(
      redactValues(
        'duplicate key value violates unique constraint "sms_code_key"',
        ['code', '254712345678'],
        ['sms_code_key'],
      ),
    ).toBe('duplicate key value violates unique constraint "sms_code_key"');
  });
});
