/**
 * C2B: a customer pays the Paybill by hand (or the STK payment is echoed as C2B on a Paybill with
 * registered URLs). The account number (BillRefNumber) is customer-typed: our purchase `ref`, or
 * a phone number. The MSISDN in the callback is masked, so it identifies nobody. De-duplicated
 * against STK by receipt (TransID == MpesaReceiptNumber, UNIQUE in purchases).
 *
 * Matching order for a confirmation: a purchase with that receipt (duplicate) → the purchase whose
 * ref is the account → a subscriber whose account number it is (a new subscription purchase of
 * whatever amount came: a part payment is kept as balance) → the phone's open push of that amount → the phone's recent unpaid attempt of
 * that amount → a new purchase of the active plan with exactly that price → unmatched (kept in the
 * inbox for staff).
 */
import { sql } from 'drizzle-orm';
import { randomUUID } from 'node:crypto';
import type { Deps } from '../app/deps.ts';
import { isUniqueViolation, query, type Tx } from '../db/open.ts';
import { normalizePhone } from '../lib/phone.ts';
import { type C2bNotification, parseC2bNotification } from '../protocols/daraja/callbacks.ts';
import type { CallbackBody } from './callback-body.ts';
import { accountByShortcode } from './accounts/resolve.ts';
import { creditInTx } from './credit.ts';
import { finishCallback, loadCallback, storeCallback } from './inbox.ts';
import { newRef } from './ref.ts';
import { secretMatches } from '../lib/secret-match.ts';
import { subscriberByAccount } from '../subscribers/index.ts';

export type C2bOutcome =
  | 'credited'
  | 'duplicate'
  | 'paid_twice'
  | 'amount_mismatch'
  | 'unmatched'
  | 'malformed'
  | 'bad_secret';

export type ValidationAnswer =
  | { accept: true }
  | { accept: false; code: 'C2B00012' | 'C2B00013' | 'C2B00016' };

/** Account numbers are typed on a phone: ignore case, spaces and dashes. */
export const normalizeAccount = (s: string) => s.toUpperCase().replace(/[\s-]/g, '');

interface PurchaseRow {
  id: string;
  status: string;
  amount_kes: number;
  mpesa_receipt: string | null;
}

async function purchaseByRef(conn: Deps['db'] | Tx, account: string): Promise<PurchaseRow | undefined> {
  return (
    await query<PurchaseRow>(
      conn,
      sql`SELECT id, status, amount_kes, mpesa_receipt FROM purchases WHERE ref = ${account}`,
    )
  )[0];
}

async function planWithPrice(conn: Deps['db'] | Tx, amount: number) {
  return (
    await query<{ id: number; price_kes: number }>(
      conn,
      sql`SELECT id, price_kes FROM plans WHERE active AND price_kes = ${amount} ORDER BY sort_order, id LIMIT 1`,
    )
  )[0];
}

/** Daraja's own limit for one M-Pesa payment; a bigger amount is not a real payment. */
export const MAX_PAYMENT_KES = 250_000;

const notificationOf = (body: CallbackBody): C2bNotification | null =>
  body.json === undefined ? null : parseC2bNotification(body.json);

/** A whole amount Daraja could have moved (a bigger number would not even fit our columns). */
const possibleAmount = (kes: number) => kes >= 1 && kes <= MAX_PAYMENT_KES;

/** Something we can match: a notification with an amount Daraja could have moved. */
const usable = (n: C2bNotification | null): n is C2bNotification & { amountKes: number } =>
  n !== null && n.amountKes !== null && possibleAmount(n.amountKes);

export async function validateC2b(
  deps: Deps,
  o: { secret: string; body: CallbackBody; remoteAddr: string | null },
): Promise<ValidationAnswer> {
  const ok = secretMatches(o.secret, deps.config.mpesa.callbackSecret);
  const n = notificationOf(o.body);
  // Anything we cannot read is refused with "Other error" and HTTP 200, never a 4xx/5xx: Daraja
  // treats an error like no answer and applies the registered default, which may be to complete a
  // payment nobody checked. An explicit rejection keeps the decision ours.
  const answer: ValidationAnswer =
    !ok || !n || n.amountKes === null
      ? { accept: false, code: 'C2B00016' }
      : !possibleAmount(n.amountKes)
        ? { accept: false, code: 'C2B00013' }
        : await decide(deps, n.billRefNumber, n.amountKes);
  await storeCallback(deps.db, deps, {
    kind: 'c2b_validate',
    body: o.body,
    remoteAddr: o.remoteAddr,
    receipt: n?.transId ?? null,
    outcome: ok ? (answer.accept ? 'accepted' : `rejected:${answer.code}`) : 'bad_secret',
  });
  return answer;
}

async function decide(deps: Deps, rawAccount: string, amount: number): Promise<ValidationAnswer> {
  const account = normalizeAccount(rawAccount);
  const p = await purchaseByRef(deps.db, account);
  if (p) {
    if (p.status === 'paid') return { accept: false, code: 'C2B00012' };
    return amount >= p.amount_kes ? { accept: true } : { accept: false, code: 'C2B00013' };
  }
  // A subscriber may pay any amount against their account: what does not buy a period is balance.
  if (await subscriberByAccount(deps.db, account)) return { accept: true };
  if (normalizePhone(rawAccount)) {
    return (await planWithPrice(deps.db, amount)) ? { accept: true } : { accept: false, code: 'C2B00013' };
  }
  return { accept: false, code: 'C2B00012' };
}

export async function receiveC2bConfirmation(
  deps: Deps,
  o: { secret: string; body: CallbackBody; remoteAddr: string | null },
): Promise<{ inboxId: number; outcome: C2bOutcome | null }> {
  const ok = secretMatches(o.secret, deps.config.mpesa.callbackSecret);
  const n = notificationOf(o.body);
  // Not a confirmation we can match (or no confirmation at all): final as stored.
  const final: C2bOutcome | null = !ok ? 'bad_secret' : !usable(n) ? 'malformed' : null;
  const inboxId = await storeCallback(deps.db, deps, {
    kind: 'c2b_confirm',
    body: o.body,
    remoteAddr: o.remoteAddr,
    receipt: n?.transId ?? null,
    outcome: final,
  });
  if (!ok) {
    deps.log.warn(
      { inboxId, remoteAddr: o.remoteAddr },
      'C2B confirmation with a wrong secret: stored, not processed',
    );
    return { inboxId, outcome: 'bad_secret' };
  }
  if (final) return { inboxId, outcome: final };
  return { inboxId, outcome: await processC2bInbox(deps, inboxId) };
}

export async function processC2bInbox(deps: Deps, inboxId: number): Promise<C2bOutcome> {
  const row = await loadCallback(deps.db, inboxId);
  if (!row) return 'malformed';
  if (row.processed) return row.outcome as C2bOutcome;
  const n = row.json === undefined ? null : parseC2bNotification(row.json);
  let outcome: C2bOutcome;
  let purchaseId: string | null = null;
  if (!usable(n)) outcome = 'malformed';
  else {
    const accountId = await paidAccount(deps, n);
    try {
      ({ outcome, purchaseId } = await deps.db.transaction((tx) => matchAndCredit(tx, deps, n, accountId)));
    } catch (e) {
      if (!isUniqueViolation(e, 'purchases_mpesa_receipt_key')) throw e;
      outcome = 'duplicate';
    }
  }
  if (outcome === 'paid_twice' || outcome === 'unmatched' || outcome === 'amount_mismatch') {
    deps.log.warn({ inboxId, outcome, purchase: purchaseId }, 'C2B payment needs staff attention');
  }
  await finishCallback(deps.db, deps, inboxId, outcome, purchaseId);
  // Money that arrived: credited (result 0) or waiting for staff under its outcome.
  if (outcome === 'credited') deps.metrics.payment('c2b', '0');
  else if (outcome === 'paid_twice' || outcome === 'unmatched' || outcome === 'amount_mismatch')
    deps.metrics.payment('c2b', outcome);
  return outcome;
}

/**
 * The account the money was paid to, by the shortcode M-Pesa names; one we do not know (an old
 * registration, a store number we were not told) is the default account, as before accounts.
 * Read before the transaction: on PGlite the transaction holds the only connection.
 */
async function paidAccount(deps: Deps, n: C2bNotification): Promise<number> {
  return (await deps.accounts.get(await accountByShortcode(deps.accounts, n.shortCode))).accountId;
}

async function matchAndCredit(
  tx: Tx,
  deps: Deps,
  n: C2bNotification & { amountKes: number },
  accountId: number,
): Promise<{ outcome: C2bOutcome; purchaseId: string | null }> {
  const amount = n.amountKes;
  const same = (
    await query<{ id: string }>(tx, sql`SELECT id FROM purchases WHERE mpesa_receipt = ${n.transId}`)
  )[0];
  if (same) return { outcome: 'duplicate', purchaseId: same.id };

  const credit = async (purchaseId: string) => {
    const r = await creditInTx(tx, deps, {
      purchaseId,
      receipt: n.transId,
      paidAmountKes: amount,
      source: 'c2b',
      // The money went to this account, whatever the purchase was started on.
      accountId,
    });
    if (r.outcome === 'credited') return { outcome: 'credited' as const, purchaseId };
    // Paid already under another receipt (or none, now filled in): the customer paid twice only
    // if a different receipt is on the purchase.
    if (r.outcome === 'already_paid') {
      return {
        outcome: r.receipt === n.transId ? ('duplicate' as const) : ('paid_twice' as const),
        purchaseId,
      };
    }
    return { outcome: 'duplicate' as const, purchaseId };
  };

  const account = normalizeAccount(n.billRefNumber);
  const byRef = account ? await purchaseByRef(tx, account) : undefined;
  if (byRef) {
    if (byRef.status !== 'paid' && amount < byRef.amount_kes)
      return { outcome: 'amount_mismatch', purchaseId: byRef.id };
    return credit(byRef.id);
  }
  const subscriber = account ? await subscriberByAccount(tx, account, { lock: true }) : null;
  if (subscriber) {
    // The MSISDN is masked, so the purchase has no phone: the receipt goes to the subscriber's.
    const id = randomUUID();
    const now = deps.clock.now();
    await insertC2bPurchase(tx, { id, subscriberId: subscriber.id, phone: null, amount, now, accountId });
    return credit(id);
  }
  const phone = normalizePhone(n.billRefNumber);
  if (!phone) return { outcome: 'unmatched', purchaseId: null };
  const since = new Date(deps.clock.now().getTime() - 24 * 3600_000);
  const open = (
    await query<{ id: string }>(
      tx,
      sql`SELECT id FROM purchases WHERE phone = ${phone} AND amount_kes = ${amount} AND status <> 'paid'
            AND created_at >= ${since}
          ORDER BY (status = 'pending') DESC, created_at DESC LIMIT 1`,
    )
  )[0];
  if (open) return credit(open.id);
  const plan = await planWithPrice(tx, amount);
  if (!plan) return { outcome: 'unmatched', purchaseId: null };
  const id = randomUUID();
  await insertC2bPurchase(tx, { id, planId: plan.id, phone, amount, now: deps.clock.now(), accountId });
  return credit(id);
}

/** A purchase for money that came by C2B with no purchase of ours: a hotspot plan or a subscriber. */
async function insertC2bPurchase(
  tx: Tx,
  p: {
    id: string;
    planId?: number;
    subscriberId?: number;
    phone: string | null;
    amount: number;
    now: Date;
    accountId: number;
  },
): Promise<void> {
  const purpose = p.subscriberId === undefined ? 'access' : 'subscription';
  await tx.execute(
    sql`INSERT INTO purchases (id, ref, plan_id, subscriber_id, phone, amount_kes, channel, purpose, status, created_at, updated_at, payment_account_id)
        VALUES (${p.id}, ${newRef()}, ${p.planId ?? null}, ${p.subscriberId ?? null}, ${p.phone}, ${p.amount}, 'c2b',
                ${purpose}, 'pending', ${p.now}, ${p.now}, ${p.accountId})`,
  );
}

/**
 * A C2B payment learnt another way (Pull Transactions, when its confirmation never came): matched
 * and credited exactly like a confirmation, deduplicated with STK and C2B by receipt.
 */
export async function creditC2bPayment(
  deps: Deps,
  n: C2bNotification & { amountKes: number },
): Promise<C2bOutcome> {
  if (!possibleAmount(n.amountKes)) return 'malformed';
  const accountId = await paidAccount(deps, n);
  try {
    return (await deps.db.transaction((tx) => matchAndCredit(tx, deps, n, accountId))).outcome;
  } catch (e) {
    if (!isUniqueViolation(e, 'purchases_mpesa_receipt_key')) throw e;
    return 'duplicate';
  }
}
