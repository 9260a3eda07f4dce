/**
 * A paid purchase that has no access code (the reconciliation report's "paid, no code"): issue it
 * now through the same steps a credit takes (issueForPurchase, the buyer's SMS), link it, audit
 * who asked. The row lock and the `access_code_id IS NULL` guard make a second click a no-op
 * conflict, so one payment still yields exactly one code.
 */
import { sql } from 'drizzle-orm';
import type { Deps } from '../app/deps.ts';
import { issueForPurchase } from '../access/index.ts';
import { type Actor, audit } from '../audit/index.ts';
import { query } from '../db/open.ts';
import { AppError } from '../lib/errors.ts';
import { type Claimed, queueAccessSms } from './credit.ts';

export async function issueMissingCode(
  deps: Deps,
  o: { purchaseId: string; actor: Actor; ip: string | null },
): Promise<{ accessCodeId: string }> {
  return deps.db.transaction(async (tx) => {
    const [p] = await query<
      Claimed & { status: string; access_code_id: string | null; mpesa_receipt: string | null }
    >(
      tx,
      sql`SELECT p.id, p.ref, p.plan_id, pl.name AS plan_name, pl.name_sw AS plan_name_sw, p.phone, p.mac,
                 p.router_id, p.purpose, p.recipient_phone, p.amount_kes, p.lang, p.status, p.access_code_id,
                 p.mpesa_receipt
          FROM purchases p JOIN plans pl ON pl.id = p.plan_id WHERE p.id = ${o.purchaseId} FOR UPDATE OF p`,
    );
    if (!p) throw new AppError('not_found', 'No such purchase.');
    if (p.status !== 'paid') throw new AppError('conflict', 'Only a paid purchase gets a code.');
    if (p.access_code_id) throw new AppError('conflict', 'This purchase already has its access code.');
    const issued = await issueForPurchase(tx, deps, {
      purchaseId: p.id,
      planId: p.plan_id,
      phone: p.phone,
      mac: p.mac,
      routerId: p.router_id,
      purpose: p.purpose,
    });
    await tx.execute(
      sql`UPDATE purchases SET access_code_id = ${issued.accessCodeId}, updated_at = ${deps.clock.now()}
          WHERE id = ${p.id}`,
    );
    await queueAccessSms(tx, deps, p, issued.code, p.mpesa_receipt);
    await audit(tx, deps, {
      actor: o.actor,
      action: 'purchase.issue_missing_code',
      entity: 'purchase',
      entityId: p.id,
      detail: { accessCodeId: issued.accessCodeId },
      ip: o.ip,
    });
    return { accessCodeId: issued.accessCodeId };
  });
}
