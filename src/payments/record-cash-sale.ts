/**
 * A cash sale at the counter, the only one (the purchases screen, the vouchers "sell for cash"
 * endpoint): a `cash` purchase marked paid by `markPaid` and its access issued in ONE transaction
 * (DESIGN.md invariant 2), with the one audit row naming the cashier. The request id the caller
 * sends becomes the purchase id, so a double click or a retried request returns the first sale
 * instead of selling twice, also when both arrive at once: the second INSERT waits on the first's
 * row and, once that commits, finds it.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Deps } from '../app/deps.ts';
import { issueForPurchase } from '../access/index.ts';
import { type Actor, audit, staffIdOf } from '../audit/index.ts';
import { type Conn, query } from '../db/open.ts';
import { AppError } from '../lib/errors.ts';
import { randomCode } from '../lib/random.ts';
import { queueSms } from '../notify/index.ts';
import { renderSms } from '../notify/index.ts';
import { loadBranding } from '../branding/index.ts';
import { getPlanForSale } from '../plans/index.ts';
import { markPaid } from './mark-paid.ts';
import { sourcesOf } from './status.ts';

export interface CashSaleInput {
  /** Client-chosen id (UUID) that makes the request safe to repeat. */
  requestId?: string | undefined;
  planId: number;
  /** Normalised 254… phone of the buyer, if they gave one (for SMS and "already paid?" lookups). */
  phone: string | null;
  /** Device and router when selling straight onto a device at the hotspot. */
  mac?: string | null | undefined;
  routerId?: number | null | undefined;
  purpose: 'access' | 'voucher';
  /** Text the code to `phone`. */
  sendSms?: boolean | undefined;
  actor: Actor;
  ip?: string | null | undefined;
}

export interface CashSaleResult {
  purchaseId: string;
  ref: string;
  accessCodeId: string;
  code: string;
  /** A stock voucher's own password (imported user/password): the customer needs both. */
  password: string | null;
  extended: boolean;
  amountKes: number;
  repeated: boolean;
}

export async function recordCashSale(deps: Deps, input: CashSaleInput): Promise<CashSaleResult> {
  const id = input.requestId ?? randomUUID();
  const sale = await deps.db.transaction(async (tx) => {
    const now = deps.clock.now();
    const plan = await getPlanForSale(tx, input.planId);
    if (!plan) throw new AppError('not_found', 'That plan does not exist or is not on sale.');
    if (input.routerId != null) {
      const [r] = await query(tx, sql`SELECT id FROM routers WHERE id = ${input.routerId}`);
      if (!r) throw new AppError('not_found', 'No such router.');
    }
    let customerId: number | null = null;
    if (input.phone) {
      const [c] = await query<{ id: number }>(
        tx,
        sql`INSERT INTO customers (phone, created_at) VALUES (${input.phone}, ${now})
            ON CONFLICT (phone) DO UPDATE SET phone = EXCLUDED.phone RETURNING id`,
      );
      customerId = c!.id;
    }
    const ref = `CASH-${randomCode(8)}`;
    const inserted = await query<{ id: string }>(
      tx,
      sql`INSERT INTO purchases (id, ref, plan_id, customer_id, phone, amount_kes, channel, purpose, status, mac,
                                 router_id, created_by, created_at, updated_at)
          VALUES (${id}, ${ref}, ${plan.id}, ${customerId}, ${input.purpose === 'voucher' ? null : input.phone}, ${plan.priceKes}, 'cash',
                  ${input.purpose}, 'pending', ${input.mac ?? null}, ${input.routerId ?? null},
                  ${staffIdOf(input.actor)}, ${now}, ${now})
          ON CONFLICT (id) DO NOTHING RETURNING id`,
    );
    if (!inserted[0]) return repeatOf(tx, deps, id);

    // For a voucher, issueForPurchase itself texts the code to the buyer's phone (the one given, or
    // the purchase's); so the phone reaches it only when the cashier asked for the SMS, and is
    // written on the purchase after — the customer gets exactly one message, or none.
    const voucherSms = input.purpose === 'voucher' && !!input.sendSms;
    const issued = await issueForPurchase(tx, deps, {
      purchaseId: id,
      planId: plan.id,
      phone: input.purpose === 'voucher' && !voucherSms ? null : input.phone,
      mac: input.mac ?? null,
      routerId: input.routerId ?? null,
      purpose: input.purpose,
    });
    if (!(await markPaid(tx, deps, id, { accessCodeId: issued.accessCodeId, paidAmountKes: plan.priceKes })))
      throw new AppError('conflict', 'That purchase cannot be paid again; nothing was sold.');
    // The buyer's phone goes on the purchase only now, after the voucher SMS decision above.
    if (input.purpose === 'voucher' && input.phone)
      await query(tx, sql`UPDATE purchases SET phone = ${input.phone} WHERE id = ${id}`);
    if (input.phone && input.sendSms && input.purpose === 'access') {
      await queueSms(tx, deps, {
        to: input.phone,
        body: await codeSms(tx, plan.name, issued.code),
        code: issued.code,
        template: 'code',
        purchaseId: id,
      });
    }
    await audit(tx, deps, {
      actor: input.actor,
      action: 'purchase.cash_sale',
      entity: 'purchase',
      entityId: id,
      detail: {
        planId: plan.id,
        amountKes: plan.priceKes,
        purpose: input.purpose,
        extended: issued.extended,
      },
      ip: input.ip ?? null,
    });
    return {
      purchaseId: id,
      ref,
      accessCodeId: issued.accessCodeId,
      code: issued.code,
      password: issued.password,
      extended: issued.extended,
      amountKes: plan.priceKes,
      repeated: false,
    };
  });
  // After the commit, and not for a repeated request (that sale was counted the first time).
  if (!sale.repeated) deps.metrics.payment('cash', '0');
  return sale;
}

async function repeatOf(tx: Conn, deps: Deps, id: string): Promise<CashSaleResult> {
  const [p] = await query<{
    ref: string;
    channel: string;
    status: string;
    amount_kes: number;
    access_code_id: string | null;
    code_sealed: string | null;
    password_sealed: string | null;
  }>(
    tx,
    sql`SELECT p.ref, p.channel, p.status, p.amount_kes, p.access_code_id, c.code_sealed, c.password_sealed
        FROM purchases p LEFT JOIN access_codes c ON c.id = p.access_code_id WHERE p.id = ${id}`,
  );
  if (p?.channel === 'cash' && p.status === 'paid' && p.access_code_id && p.code_sealed) {
    return {
      purchaseId: id,
      ref: p.ref,
      accessCodeId: p.access_code_id,
      code: deps.sealer.unseal(p.code_sealed),
      password: p.password_sealed ? deps.sealer.unseal(p.password_sealed) : null,
      extended: false,
      amountKes: Number(p.amount_kes),
      repeated: true,
    };
  }
  // The id names a purchase this sale did not make (an M-Pesa one, say): never sell onto it.
  if (p && !sourcesOf('paid').includes(p.status as never))
    throw new AppError('conflict', 'That purchase is already paid; nothing was sold.');
  throw new AppError('conflict', 'That request id belongs to another purchase; nothing was sold.');
}

/** The standard "your WiFi code" SMS, in the business's name. */
export async function codeSms(conn: Conn, plan: string, code: string): Promise<string> {
  const b = await loadBranding(conn);
  return renderSms('code', 'en', { business: b.name, code, plan, supportPhone: b.supportPhone });
}
