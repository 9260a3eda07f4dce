/**
 * Crediting a paid purchase: the one path every channel (STK callback, STK query, C2B) goes
 * through. Exactly-once comes from the claim: `UPDATE … WHERE status IN (sourcesOf('paid'))` takes
 * the row lock, so a concurrent credit of the same purchase waits and then matches nothing. In the
 * same transaction the access code is issued (or extended), linked by `markPaid`, and the SMS
 * queued: either all of it commits or none. The receipt is UNIQUE, so one M-Pesa payment can
 * credit only one purchase. A subscription purchase (purpose 'subscription') buys periods on a
 * subscriber's account instead of an access code: the subscribers feature credits its ledger on
 * the same transaction, right after the same claim (applySubscriptionPayment).
 */
import { randomUUID } from 'node:crypto';
import { type SQL, sql } from 'drizzle-orm';
import type { Deps } from '../app/deps.ts';
import { isUniqueViolation, query, type Tx } from '../db/open.ts';
import { issueForPurchase } from '../access/index.ts';
import { renderSms, smsSql } from '../notify/index.ts';
import { brandingFromSetting } from '../branding/index.ts';
import { applySubscriptionPayment } from '../subscribers/index.ts';
import { finishCallbackSql } from './inbox.ts';
import { markPaid } from './mark-paid.ts';
import { inList } from './sql-helpers.ts';
import { sourcesOf } from './status.ts';

export type CreditSource = 'stk_callback' | 'stk_query' | 'c2b' | 'transaction_status' | 'pull';

export interface CreditInput {
  purchaseId: string;
  /** M-Pesa receipt (MpesaReceiptNumber / TransID); STK Query does not return one. */
  receipt: string | null;
  paidAmountKes: number | null;
  source: CreditSource;
  resultDesc?: string;
  /** The payment account M-Pesa says the money went to (C2B, Transaction Status), when known. */
  accountId?: number;
  /**
   * The callback_inbox row this payment came in, if any: when the purchase is credited, the row is
   * finished as `credited` in the statement that marks the purchase paid (one round trip less);
   * on any other outcome the caller finishes it.
   */
  inboxId?: number;
}

export type CreditResult =
  /** accessCodeId is null for a subscription payment, which credits a subscriber instead. */
  | { outcome: 'credited'; accessCodeId: string | null; extended: boolean }
  /** Already paid: nothing changed (a receipt learnt later is filled in). */
  | { outcome: 'already_paid'; receipt: string | null }
  /** This receipt already credited another purchase. */
  | { outcome: 'duplicate_receipt' }
  | { outcome: 'not_found' };

interface Claimed {
  id: string;
  ref: string;
  plan_id: number;
  subscriber_id: number | null;
  plan_name: string;
  phone: string | null;
  mac: string | null;
  router_id: number | null;
  purpose: 'access' | 'voucher' | 'subscription';
  recipient_phone: string | null;
  amount_kes: number;
  lang: 'en' | 'sw' | null;
  plan_name_sw: string | null;
  duration_seconds: number;
  data_cap_bytes: number | null;
  devices: number;
  plan_clock: 'wall' | 'uptime';
  starts_on: 'first_login' | 'payment';
  receipt_taken: boolean;
  branding: unknown;
  router_mode: string | null;
  router_transport: string | null;
}

/** The claim's row: what it claimed (all null when it claimed nothing) and the status before it. */
type ClaimRow = { [K in keyof Claimed]: Claimed[K] | null } & {
  current_status: string;
  current_receipt: string | null;
};

export async function creditPurchase(deps: Deps, input: CreditInput): Promise<CreditResult> {
  try {
    const r = await deps.db.transaction((tx) => creditInTx(tx, deps, input));
    // Counted after the commit: a transaction that was rolled back and run again paid once.
    if (r.outcome === 'credited') deps.metrics.payment(input.source === 'c2b' ? 'c2b' : 'stk', '0');
    return r;
  } catch (e) {
    // Another transaction committed the same receipt first (STK and C2B for one payment at once).
    if (isUniqueViolation(e, 'purchases_mpesa_receipt_key')) return { outcome: 'duplicate_receipt' };
    throw e;
  }
}

export async function creditInTx(tx: Tx, deps: Deps, input: CreditInput): Promise<CreditResult> {
  const now = deps.clock.now();
  // One statement claims the row and reads what the rest needs: the plan, whether this receipt
  // already credited another purchase, and the branding for the SMS. The plan is joined through a
  // second reference to the row: a subscription purchase has none, and UPDATE … FROM cannot outer
  // join its own target.
  // The status beside it is the row as it was before the claim (the statement's snapshot); the
  // router's mode saves issueForPurchase its own lookup.
  const [row] = await query<ClaimRow>(
    tx,
    sql`WITH claimed AS (
          UPDATE purchases p SET updated_at = ${now},
                 payment_account_id = coalesce(${input.accountId ?? null}::int, p.payment_account_id)
          FROM purchases me LEFT JOIN plans pl ON pl.id = me.plan_id LEFT JOIN routers r ON r.id = me.router_id
          WHERE p.id = ${input.purchaseId} AND me.id = p.id AND p.status IN (${inList(sourcesOf('paid'))})
          RETURNING p.id, p.ref, p.plan_id, p.subscriber_id, pl.name AS plan_name, pl.name_sw AS plan_name_sw, p.phone,
                    p.mac, p.router_id, p.purpose, p.recipient_phone, p.amount_kes, p.lang,
                    pl.duration_seconds, pl.data_cap_bytes, pl.devices, pl.clock AS plan_clock, pl.starts_on,
                    EXISTS (SELECT 1 FROM purchases o WHERE o.mpesa_receipt = ${input.receipt} AND o.id <> p.id)
                      AS receipt_taken,
                    (SELECT value FROM settings WHERE key = 'branding') AS branding,
                    r.mode AS router_mode, r.api_transport AS router_transport)
        SELECT cur.status AS current_status, cur.mpesa_receipt AS current_receipt, claimed.*
          FROM purchases cur LEFT JOIN claimed ON true
         WHERE cur.id = ${input.purchaseId}`,
  );
  if (!row) return { outcome: 'not_found' };
  if (row.id === null) {
    let cur = { status: row.current_status, mpesa_receipt: row.current_receipt };
    if ((sourcesOf('paid') as string[]).includes(cur.status)) {
      // It could be claimed when the statement began, and another credit took it meanwhile (the
      // claim waited on its lock): read what that one committed.
      const [fresh] = await query<{ status: string; mpesa_receipt: string | null }>(
        tx,
        sql`SELECT status, mpesa_receipt FROM purchases WHERE id = ${input.purchaseId}`,
      );
      if (!fresh) return { outcome: 'not_found' };
      cur = fresh;
    }
    if (input.receipt && cur.mpesa_receipt === null) {
      // Credited by STK Query (no receipt); the callback or C2B copy tells us the receipt now.
      const filled = await query(
        tx,
        sql`UPDATE purchases SET mpesa_receipt = ${input.receipt}, updated_at = ${now}
            WHERE id = ${input.purchaseId} AND mpesa_receipt IS NULL
              AND NOT EXISTS (SELECT 1 FROM purchases WHERE mpesa_receipt = ${input.receipt})
            RETURNING id`,
      );
      if (filled.length) return { outcome: 'already_paid', receipt: input.receipt };
    }
    return { outcome: 'already_paid', receipt: cur.mpesa_receipt };
  }
  const p = row as Claimed;
  if (p.receipt_taken) return { outcome: 'duplicate_receipt' };
  const paidAmountKes = input.paidAmountKes ?? p.amount_kes;
  const inboxDone: SQL[] =
    input.inboxId === undefined ? [] : [finishCallbackSql(input.inboxId, 'credited', p.id, now)];

  if (p.purpose === 'subscription') {
    await applySubscriptionPayment(tx, deps, {
      purchaseId: p.id,
      // purchases_subscription_shape: a subscription purchase always names its subscriber.
      subscriberId: p.subscriber_id!,
      amountKes: paidAmountKes,
      receipt: input.receipt,
      lang: p.lang,
    });
    const paid = await markPaid(
      tx,
      deps,
      p.id,
      {
        accessCodeId: null,
        paidAmountKes,
        receipt: input.receipt,
        result: { code: '0', desc: input.resultDesc ?? 'The service request is processed successfully.' },
      },
      inboxDone,
    );
    if (!paid) throw new Error(`purchase ${p.id} was claimed but could not be marked paid`);
    deps.log.info({ purchase: p.id, source: input.source }, 'subscription purchase paid');
    return { outcome: 'credited', accessCodeId: null, extended: false };
  }

  const issued = await issueForPurchase(tx, deps, {
    purchaseId: p.id,
    planId: p.plan_id,
    phone: p.phone,
    mac: p.mac,
    routerId: p.router_id,
    purpose: p.purpose,
    plan: {
      id: p.plan_id,
      duration_seconds: p.duration_seconds,
      data_cap_bytes: p.data_cap_bytes,
      devices: p.devices,
      clock: p.plan_clock,
      starts_on: p.starts_on,
    },
    router: p.router_mode === null ? null : { mode: p.router_mode, transport: p.router_transport },
  });
  // A voucher's SMS (to the receiver) is sent by issueForPurchase itself. For access, the buyer
  // gets the receipt and the code: their way back in when the captive browser closes or the phone
  // changes its MAC. Written in the statement that marks the purchase paid.
  const sms: SQL[] = [];
  if (p.purpose === 'access' && p.phone) {
    const branding = brandingFromSetting(p.branding);
    // In the language the buyer used at the portal (C2B and older purchases: English).
    const lang = p.lang ?? 'en';
    const vars = {
      business: branding.name,
      code: issued.code,
      plan: (lang === 'sw' && p.plan_name_sw) || p.plan_name,
      supportPhone: branding.supportPhone,
    };
    const body = input.receipt
      ? renderSms('receipt', lang, { ...vars, amountKes: p.amount_kes, receipt: input.receipt })
      : renderSms('code', lang, vars);
    sms.push(
      smsSql(
        deps,
        randomUUID(),
        {
          to: p.phone,
          body,
          code: issued.code,
          template: input.receipt ? 'receipt' : 'code',
          purchaseId: p.id,
        },
        now,
      ),
    );
  }
  // The claim above holds the row lock in a status that may become paid, so this cannot miss;
  // if it ever did, throwing rolls back the code just issued (and the SMS beside it) rather than
  // leave it unpaid-for.
  const paid = await markPaid(
    tx,
    deps,
    p.id,
    {
      accessCodeId: issued.accessCodeId,
      paidAmountKes,
      receipt: input.receipt,
      result: { code: '0', desc: input.resultDesc ?? 'The service request is processed successfully.' },
    },
    [...sms, ...inboxDone],
  );
  if (!paid) throw new Error(`purchase ${p.id} was claimed but could not be marked paid`);
  deps.log.info({ purchase: p.id, source: input.source, extended: issued.extended }, 'purchase paid');
  return { outcome: 'credited', accessCodeId: issued.accessCodeId, extended: issued.extended };
}
