/**
 * Text a purchase's access code to the buyer again (or to another number the customer gives at
 * the counter). The SMS row and its `sms.send` job commit together with the audit entry; the code
 * itself never goes into the audit log.
 */
import { sql } from 'drizzle-orm';
import type { Deps } from '../../app/deps.ts';
import { query } from '../../db/open.ts';
import { AppError } from '../../lib/errors.ts';
import { queueSms } from '../../notify/index.ts';
import { codeSms } from '../../payments/index.ts';
import { type Actor, audit } from '../../audit/index.ts';

export async function resendCode(
  deps: Deps,
  o: { purchaseId: string; phone?: string | null | undefined; actor: Actor; ip: string | null },
): Promise<{ smsId: string; to: string }> {
  return deps.db.transaction(async (tx) => {
    const [p] = await query<{
      phone: string | null;
      status: string;
      code_sealed: string | null;
      plan: string;
    }>(
      tx,
      sql`SELECT p.phone, p.status, c.code_sealed, pl.name AS plan FROM purchases p
          JOIN plans pl ON pl.id = p.plan_id LEFT JOIN access_codes c ON c.id = p.access_code_id
          WHERE p.id = ${o.purchaseId}`,
    );
    if (!p) throw new AppError('not_found', 'No such purchase.');
    if (p.status !== 'paid' || !p.code_sealed)
      throw new AppError('conflict', 'Only a paid purchase has a code to send.');
    const to = o.phone ?? p.phone;
    if (!to) throw new AppError('validation', 'phone: This purchase has no phone number. Enter one.');
    const code = deps.sealer.unseal(p.code_sealed);
    const smsId = await queueSms(tx, deps, {
      to,
      body: await codeSms(tx, p.plan, code),
      code,
      template: 'code',
      purchaseId: o.purchaseId,
    });
    await audit(tx, deps, {
      actor: o.actor,
      action: 'purchase.resend_code',
      entity: 'purchase',
      entityId: o.purchaseId,
      detail: { to },
      ip: o.ip,
    });
    return { smsId, to };
  });
}
