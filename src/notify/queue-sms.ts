import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Deps } from '../app/deps.ts';
import type { Conn } from '../db/open.ts';

export interface SmsInput {
  to: string;
  body: string;
  template?: string;
  purchaseId?: string;
}

/**
 * Queue an SMS: the message row and its delivery job are written on `tx`, so an SMS exists exactly
 * when the change that causes it (a payment, a sale) commits. Delivery happens in the `sms.send` job.
 */
export async function queueSms(tx: Conn, deps: Deps, m: SmsInput): Promise<string> {
  const id = randomUUID();
  await tx.execute(
    sql`INSERT INTO sms_messages (id, to_phone, body, template, purchase_id, created_at)
        VALUES (${id}, ${m.to}, ${m.body}, ${m.template ?? null}, ${m.purchaseId ?? null}, ${deps.clock.now()})`,
  );
  await deps.enqueue(tx, { kind: 'sms.send', payload: { smsId: id }, key: `sms:${id}` });
  return id;
}
