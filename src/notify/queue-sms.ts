import { randomUUID } from 'node:crypto';
import { type SQL, sql } from 'drizzle-orm';
import type { Deps } from '../app/deps.ts';
import type { Conn } from '../db/open.ts';
import { enqueueSql } from '../jobs/enqueue.ts';
import { SMS_SEND_JOB } from './job-kinds.ts';

export interface SmsInput {
  to: string;
  body: string;
  /** The access code the text carries, exactly as it appears in `body`; absent for texts without one (alerts). */
  code?: string;
  /** A voucher's own password carried with the code: masked in `body` the same way. */
  password?: string | null;
  template?: string;
  purchaseId?: string;
}

/**
 * Queue an SMS: the message row and its delivery job are written on `tx`, so an SMS exists exactly
 * when the change that causes it (a payment, a sale) commits. Delivery happens in the `sms.send` job.
 *
 * The text carries a live access code, which the database otherwise keeps only hashed and sealed:
 * so the row keeps the text sealed (`body_sealed`, for the delivery job, dropped once the message
 * has gone or failed) and `body` holds it with the code masked, for staff to read.
 */
export async function queueSms(tx: Conn, deps: Deps, m: SmsInput): Promise<string> {
  const id = randomUUID();
  await tx.execute(smsSql(deps, id, m, deps.clock.now()));
  return id;
}

/**
 * queueSms as one INSERT whose RETURNING writes the delivery job (wavu_enqueue), for a caller that
 * runs it as a part of its own statement (a paid purchase's last write): every statement on the
 * callback path is a round trip.
 */
export function smsSql(deps: Pick<Deps, 'sealer'>, id: string, m: SmsInput, now: Date): SQL {
  return sql`INSERT INTO sms_messages (id, to_phone, body, body_sealed, template, purchase_id, created_at)
      VALUES (${id}, ${m.to}, ${m.code === undefined ? m.body : maskPassword(maskCode(m.body, m.code), m.password)},
              ${m.code === undefined ? null : deps.sealer.seal(m.body)}, ${m.template ?? null},
              ${m.purchaseId ?? null}, ${now})
      RETURNING ${enqueueSql(SMS_SEND_JOB, { smsId: id }, now, { runAt: now, key: `sms:${id}` })} AS job`;
}

/** The password out of a masked text (short numeric passwords included: nothing is guessed). */
const maskPassword = (body: string, password: string | null | undefined) =>
  password ? body.split(password).join('*'.repeat(password.length)) : body;

/** "your WiFi code is ABCDE-FGHJK" → "your WiFi code is *****-*****"; the shape stays readable. */
export function maskCode(body: string, code: string): string {
  const c = code.trim();
  // A text without its code (never, with our templates) is not shown at all rather than risked.
  if (c.length < 4 || !body.includes(c)) return '[text sealed]';
  return body.split(c).join(c.replace(/[^-\s]/g, '*'));
}
