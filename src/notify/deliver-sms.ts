/**
 * The `sms.send` job: deliver one queued row of `sms_messages` through the configured provider.
 *
 * Idempotent: only a row still `queued` is attempted, so a duplicate job or a retry after success
 * sends nothing. The provider call happens outside any transaction (a slow gateway must not hold
 * a database connection). If the process dies after the gateway accepted the message but before
 * the row says `sent`, the retry sends it again: a customer may rarely get a code twice, never zero
 * times.
 *
 * The text is sealed at rest (see queue-sms.ts); the sealed copy is dropped in the same update
 * that records the final outcome, so only messages that may still be sent keep one. Rows queued
 * before texts were sealed are sent as stored and masked then.
 */
import { sql } from 'drizzle-orm';
import type { Deps } from '../app/deps.ts';
import { query } from '../db/open.ts';
import { asSmsError } from './provider.ts';

export interface DeliverResult {
  status: 'sent' | 'failed' | 'retry' | 'skipped';
  error?: string;
}

/** Once a message has gone (or never will): no sealed text left, and no legacy clear code. */
const forgetText = sql`body = CASE WHEN body_sealed IS NULL THEN mask_sms_codes(body) ELSE body END,
                       body_sealed = NULL`;

export async function deliverSms(
  deps: Deps,
  smsId: string,
  attempt: { isLast: boolean },
): Promise<DeliverResult> {
  const [row] = await query<{ to_phone: string; body: string; body_sealed: string | null }>(
    deps.db,
    sql`UPDATE sms_messages SET attempts = attempts + 1
        WHERE id = ${smsId} AND status = 'queued'
        RETURNING to_phone, body, body_sealed`,
  );
  if (!row) return { status: 'skipped' };
  try {
    const text = row.body_sealed === null ? row.body : deps.sealer.unseal(row.body_sealed);
    const { providerId } = await deps.sms.send(row.to_phone, text);
    await deps.db.execute(
      sql`UPDATE sms_messages SET status = 'sent', provider_id = ${providerId}, sent_at = ${deps.clock.now()},
             ${forgetText}
          WHERE id = ${smsId} AND status = 'queued'`,
    );
    deps.metrics.sms('sent');
    return { status: 'sent' };
  } catch (e) {
    const err = asSmsError(e);
    const message = `${deps.sms.name}: ${err.message}`.slice(0, 500);
    if (!err.retryable || attempt.isLast) {
      await deps.db.execute(
        sql`UPDATE sms_messages SET status = 'failed', failed_at = ${deps.clock.now()}, last_error = ${message},
               ${forgetText}
            WHERE id = ${smsId} AND status = 'queued'`,
      );
      deps.log.warn({ smsId, error: message, retryable: err.retryable }, 'SMS failed for good');
      deps.metrics.sms('failed');
      return { status: 'failed', error: message };
    }
    await deps.db.execute(sql`UPDATE sms_messages SET last_error = ${message} WHERE id = ${smsId}`);
    return { status: 'retry', error: message };
  }
}
