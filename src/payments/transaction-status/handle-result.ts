/**
 * The Transaction Status answer. It is a hint like every callback: it must belong to a check we
 * started (by the ids M-Pesa gave us, or, while those are not stored yet, the open check of that
 * receipt), and it credits only a completed payment of that receipt, to our shortcode, of an
 * amount that is a plan's price. Crediting is the one claim every channel uses (creditInTx), with
 * the receipt UNIQUE, so a second copy of the result or a racing STK callback credits nothing.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Deps } from '../../app/deps.ts';
import { isUniqueViolation, query, type Tx } from '../../db/open.ts';
import { normalizePhone } from '../../lib/phone.ts';
import { parseTransactionStatusResult, type TransactionStatusResult } from '../../protocols/daraja/index.ts';
import { ourShortcodes } from '../accounts/resolve.ts';
import { creditInTx } from '../credit.ts';
import { newRef } from '../ref.ts';
import { secretMatches } from '../../lib/secret-match.ts';

export type StatusOutcome =
  | 'credited'
  | 'already_claimed'
  | 'not_ours'
  | 'wrong_amount'
  | 'not_found'
  | 'failed'
  | 'timed_out'
  | 'duplicate'
  | 'unknown_check'
  | 'malformed'
  | 'bad_secret';

interface CheckRow {
  id: string;
  receipt: string;
  state: string;
}

export async function handleStatusResult(
  deps: Deps,
  o: { secret: string; body: unknown; timedOut: boolean },
): Promise<StatusOutcome> {
  if (!secretMatches(o.secret, deps.config.mpesa.callbackSecret)) {
    deps.log.warn('Transaction Status result with a wrong secret: ignored');
    return 'bad_secret';
  }
  const r = parseTransactionStatusResult(o.body);
  if (!r) return 'malformed';
  const outcome = await apply(deps, r, o.timedOut);
  if (outcome !== 'unknown_check' || !r.conversationId) return outcome;
  // Perhaps the answer beat our write of its ids. Keep it, then look once more: whichever of
  // this and startStatusCheck's write of the ids comes last sees the other, and applies it.
  await query(
    deps.db,
    sql`INSERT INTO status_results_early (conversation_id, body, timed_out, received_at)
        VALUES (${r.conversationId}, ${JSON.stringify(o.body)}::jsonb, ${o.timedOut}, ${deps.clock.now()})
        ON CONFLICT (conversation_id) DO NOTHING`,
  );
  return apply(deps, r, o.timedOut);
}

/** startStatusCheck, once the ids are stored: an answer that came before them is applied now. */
export async function applyEarlyResult(deps: Deps, conversationId: string): Promise<StatusOutcome | null> {
  const [row] = await query<{ body: unknown; timed_out: boolean }>(
    deps.db,
    sql`SELECT body, timed_out FROM status_results_early WHERE conversation_id = ${conversationId}`,
  );
  if (!row) return null;
  const body = typeof row.body === 'string' ? JSON.parse(row.body) : row.body;
  const r = parseTransactionStatusResult(body);
  return r ? apply(deps, r, row.timed_out) : null;
}

async function apply(deps: Deps, r: TransactionStatusResult, timedOut: boolean): Promise<StatusOutcome> {
  // Every receiving number of ours, each with its account (read before the transaction).
  const ours = await ourShortcodes(deps.accounts);
  try {
    return await deps.db.transaction((tx) => settle(tx, deps, r, timedOut, ours));
  } catch (e) {
    // Another channel committed this receipt first (the STK callback racing this result).
    if (!isUniqueViolation(e, 'purchases_mpesa_receipt_key')) throw e;
    await deps.db.transaction(async (tx) => {
      const c = await findCheck(tx, r);
      if (c) await finish(tx, deps, c.id, 'already_claimed', r, null);
    });
    return 'already_claimed';
  }
}

async function findCheck(tx: Tx, r: TransactionStatusResult): Promise<CheckRow | undefined> {
  if (r.conversationId) {
    const [c] = await query<CheckRow>(
      tx,
      sql`SELECT id, receipt, state FROM status_checks WHERE conversation_id = ${r.conversationId} FOR UPDATE`,
    );
    if (c) return c;
  }
  // The answer can beat our own write of the ids it carries; then only the open check of this
  // receipt whose ids are not stored yet can be the one.
  if (!r.receipt) return undefined;
  const [c] = await query<CheckRow>(
    tx,
    sql`SELECT id, receipt, state FROM status_checks
        WHERE receipt = ${r.receipt} AND state = 'pending' AND conversation_id IS NULL FOR UPDATE`,
  );
  return c;
}

async function finish(
  tx: Tx,
  deps: Deps,
  id: string,
  state: string,
  r: TransactionStatusResult,
  purchaseId: string | null,
) {
  await query(
    tx,
    sql`UPDATE status_checks SET state = ${state}, result_code = ${r.resultCode},
           result_desc = ${r.resultDesc.slice(0, 300)}, purchase_id = ${purchaseId},
           conversation_id = COALESCE(conversation_id, ${r.conversationId}), finished_at = ${deps.clock.now()}
        WHERE id = ${id}`,
  );
}

async function settle(
  tx: Tx,
  deps: Deps,
  r: TransactionStatusResult,
  timedOut: boolean,
  ours: Map<string, number>,
): Promise<StatusOutcome> {
  const check = await findCheck(tx, r);
  if (!check) {
    deps.log.warn({ conversationId: r.conversationId }, 'Transaction Status result for no check of ours');
    return 'unknown_check';
  }
  if (check.state !== 'pending') return 'duplicate';
  const done = async (state: Exclude<StatusOutcome, 'duplicate'>, purchaseId: string | null = null) => {
    await finish(tx, deps, check.id, state, r, purchaseId);
    return state;
  };
  if (timedOut) return done('timed_out');
  if (r.resultCode !== '0') {
    if (r.resultCode === '2001')
      deps.log.error(
        'Transaction Status: M-Pesa refused the initiator (2001): check the initiator name and password, and sandbox vs production',
      );
    return done(r.resultCode === '2001' ? 'failed' : 'not_found');
  }
  if (r.receipt !== check.receipt) return done('not_ours');
  if (r.status !== 'Completed') return done('not_found');
  const creditShortcode = /^\s*(\d{5,8})\b/.exec(r.creditParty ?? '')?.[1];
  const accountId = creditShortcode === undefined ? undefined : ours.get(creditShortcode);
  if (accountId === undefined) return done('not_ours');
  const amount = r.amountKes;
  const [plan] =
    amount === null
      ? []
      : await query<{ id: number }>(
          tx,
          sql`SELECT id FROM plans WHERE active AND price_kes = ${amount} ORDER BY sort_order, id LIMIT 1`,
        );
  if (!plan || amount === null) return done('wrong_amount');
  const claimed = await query(tx, sql`SELECT 1 FROM purchases WHERE mpesa_receipt = ${check.receipt}`);
  if (claimed.length) return done('already_claimed');

  // The customer's own attempt of that amount: unpaid (its STK callback was lost), or paid on an
  // STK Query that gave no receipt (the receipt is filled in, nothing credited twice); else a
  // new purchase.
  const phone = normalizePhone(/^\s*(\+?\d{9,13})\b/.exec(r.debitParty ?? '')?.[1] ?? '');
  const since = new Date(deps.clock.now().getTime() - 24 * 3600_000);
  const [open] = phone
    ? await query<{ id: string }>(
        tx,
        sql`SELECT id FROM purchases WHERE phone = ${phone} AND amount_kes = ${amount}
              AND (status <> 'paid' OR mpesa_receipt IS NULL) AND created_at >= ${since}
            ORDER BY (status = 'paid') DESC, (status = 'pending') DESC, created_at DESC LIMIT 1`,
      )
    : [];
  let purchaseId = open?.id;
  if (!purchaseId) {
    purchaseId = randomUUID();
    const now = deps.clock.now();
    await tx.execute(
      sql`INSERT INTO purchases (id, ref, plan_id, phone, amount_kes, channel, purpose, status, created_at, updated_at, payment_account_id)
          VALUES (${purchaseId}, ${newRef()}, ${plan.id}, ${phone}, ${amount}, 'c2b', 'access', 'pending', ${now}, ${now}, ${accountId})`,
    );
  }
  const c = await creditInTx(tx, deps, {
    purchaseId,
    receipt: check.receipt,
    paidAmountKes: amount,
    source: 'transaction_status',
    accountId,
  });
  if (c.outcome === 'credited') return done('credited', purchaseId);
  return done('already_claimed', c.outcome === 'already_paid' ? purchaseId : null);
}
