/**
 * A cashier sells a voucher for cash: a paid `cash` purchase and its code, in one transaction
 * (the same path as an M-Pesa voucher purchase, so stock is used first and each code sold once).
 * With a phone number the code also goes out by SMS.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Deps } from '../app/deps.ts';
import { audit } from '../access/audit.ts';
import { issueForPurchase } from '../access/issue-for-purchase.ts';
import { AppError } from '../lib/errors.ts';
import { normalizePhone } from '../lib/phone.ts';
import { randomCode } from '../lib/random.ts';
import { getPlan } from './plans.ts';

export interface CashSale {
  purchaseId: string;
  ref: string;
  accessCodeId: string;
  code: string;
  amountKes: number;
}

export async function sellVoucherForCash(
  deps: Deps,
  o: { planId: number; phone?: string | null | undefined; adminId?: number | null | undefined },
): Promise<CashSale> {
  const phone = o.phone ? normalizePhone(o.phone) : null;
  if (o.phone && !phone) throw new AppError('validation', 'phone: not a Kenyan mobile number');
  return deps.db.transaction(async (tx) => {
    const plan = await getPlan(tx, o.planId);
    const now = deps.clock.now();
    const id = randomUUID();
    const ref = `CASH-${randomCode(8)}`;
    await tx.execute(
      sql`INSERT INTO purchases (id, ref, plan_id, phone, amount_kes, channel, purpose, recipient_phone, created_by, created_at, updated_at)
          VALUES (${id}, ${ref}, ${plan.id}, NULL, ${plan.priceKes}, 'cash', 'voucher', ${phone}, ${o.adminId ?? null}, ${now}, ${now})`,
    );
    const issued = await issueForPurchase(tx, deps, {
      purchaseId: id,
      planId: plan.id,
      phone: null,
      mac: null,
      routerId: null,
      purpose: 'voucher',
    });
    await tx.execute(
      sql`UPDATE purchases SET status = 'paid', paid_at = ${now}, paid_amount_kes = ${plan.priceKes},
             access_code_id = ${issued.accessCodeId}, updated_at = ${now}
          WHERE id = ${id}`,
    );
    await audit(tx, deps, {
      actor: 'admin',
      actorId: o.adminId ?? null,
      action: 'voucher.cash_sale',
      entity: 'purchase',
      entityId: id,
      detail: { planId: plan.id, amountKes: plan.priceKes, sms: phone !== null },
    });
    return {
      purchaseId: id,
      ref,
      accessCodeId: issued.accessCodeId,
      code: issued.code,
      amountKes: plan.priceKes,
    };
  });
}
