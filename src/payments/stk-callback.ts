/**
 * STK callbacks. The raw body is stored in callback_inbox, in the same transaction that processes
 * it (see storeAndProcess), so it is never processed without being kept.
 * A callback is a hint (DESIGN.md invariant 5): it credits only when its path secret is right, its
 * CheckoutRequestID is ours, and amount and phone match the stored purchase. Anything else is kept
 * for the record and credits nothing; the reconciler's STK Query settles what stays open.
 *
 * Wrong secret: the body IS stored (outcome `bad_secret`, never processed) so an operator can see
 * forgery attempts or a secret rotated under in-flight payments; the route caps body size so this
 * cannot be used to fill the disk.
 *
 * Not an STK callback at all (not JSON, a bare string, nothing we can read): stored as `malformed`,
 * final at once, so it never sits in the sweep's way.
 */
import { sql } from 'drizzle-orm';
import type { Deps } from '../app/deps.ts';
import { asDate, type Conn, query } from '../db/open.ts';
import { parseStkCallback, type StkCallback } from '../protocols/daraja/callbacks.ts';
import { DARAJA_CALLBACK_IPS } from '../protocols/daraja/url-rules.ts';
import { processC2bInbox } from './c2b.ts';
import type { CallbackBody } from './callback-body.ts';
import { type CreditInput, type CreditResult, creditInTx, creditPurchase } from './credit.ts';
import {
  finishCallback,
  insertCallback,
  loadCallback,
  type NewCallback,
  storeCallback,
  waitingCallbacks,
} from './inbox.ts';
import { meaningOf } from './result-codes.ts';
import { secretMatches } from '../lib/secret-match.ts';
import { settleUnpaid } from './settle.ts';

/** An unknown CheckoutRequestID is retried this long (our own push may not have recorded it yet). */
const UNKNOWN_RETRY_MS = 2 * 60_000;

export type StkOutcome =
  | 'credited'
  | 'duplicate'
  | 'duplicate_receipt'
  | 'paid_twice'
  | 'settled'
  | 'stale'
  | 'unknown_code'
  | 'unknown_checkout'
  | 'amount_mismatch'
  | 'phone_mismatch'
  | 'no_receipt'
  | 'malformed'
  | 'bad_secret'
  | 'retry';

export async function receiveStkCallback(
  deps: Deps,
  o: { secret: string; body: CallbackBody; remoteAddr: string | null },
): Promise<{ inboxId: number; outcome: StkOutcome }> {
  const ok = secretMatches(o.secret, deps.config.mpesa.callbackSecret);
  const cb = o.body.json === undefined ? null : parseStkCallback(o.body.json);
  const final: StkOutcome | null = !ok ? 'bad_secret' : !cb ? 'malformed' : null;
  const stored: NewCallback = {
    kind: 'stk',
    body: o.body,
    remoteAddr: o.remoteAddr,
    checkoutRequestId: cb?.checkoutRequestId ?? null,
    receipt: cb?.receipt ?? null,
    outcome: final,
  };
  let inboxId: number;
  let outcome: StkOutcome;
  if (final !== null || cb === null) {
    inboxId = await storeCallback(deps.db, deps, stored);
    outcome = final ?? 'malformed';
  } else {
    try {
      ({ inboxId, outcome } = await storeAndProcess(deps, stored, cb));
    } catch (e) {
      // That transaction rolled back, body and all (a racing C2B took the receipt first, the
      // connection went): store the body on its own and process it the way the sweep does, which
      // copes with both. Nothing was committed, so nothing is credited twice.
      deps.log.warn({ err: e }, 'STK callback: processing with the store failed; stored on its own');
      inboxId = await storeCallback(deps.db, deps, stored);
      outcome = await processStkInbox(deps, inboxId);
    }
  }
  if (!deps.config.demo && o.remoteAddr && !DARAJA_CALLBACK_IPS.includes(o.remoteAddr)) {
    deps.log.warn(
      { inboxId, remoteAddr: o.remoteAddr },
      "STK callback from outside Safaricom's published addresses",
    );
  }
  if (!ok) {
    deps.log.warn(
      { inboxId, remoteAddr: o.remoteAddr },
      'STK callback with a wrong secret: stored, not processed',
    );
    return { inboxId, outcome };
  }
  // Our push may still be recording its CheckoutRequestID when a fast callback lands: look again briefly.
  for (let i = 1; i < 4 && outcome === 'retry'; i++) {
    await new Promise((r) => setTimeout(r, 150));
    outcome = await processStkInbox(deps, inboxId);
  }
  return { inboxId, outcome };
}

interface PurchaseRow {
  id: string;
  status: string;
  amount_kes: number;
  phone: string | null;
  mpesa_receipt: string | null;
}

/**
 * The common case in one transaction: the body stored and the purchase read in one statement, then
 * credited (or settled) and the row finished beside it. So the raw body and its effect commit
 * together: a crash before the commit leaves neither (Daraja got no answer; the STK Query and C2B
 * still settle the payment), a crash after leaves both. A row left waiting (an id not known yet)
 * commits unprocessed, for the retries below and the sweep.
 */
async function storeAndProcess(
  deps: Deps,
  c: NewCallback,
  cb: StkCallback,
): Promise<{ inboxId: number; outcome: StkOutcome }> {
  const receivedAt = deps.clock.now();
  const r = await deps.db.transaction(async (tx) => {
    const [row] = await query<{ inbox_id: number } & { [K in keyof PurchaseRow]: PurchaseRow[K] | null }>(
      tx,
      sql`WITH stored AS (${insertCallback(c, receivedAt)} RETURNING id)
          SELECT stored.id AS inbox_id, p.id, p.status, p.amount_kes, p.phone, p.mpesa_receipt
            FROM stored LEFT JOIN purchases p ON p.checkout_request_id = ${cb.checkoutRequestId}`,
    );
    const inboxId = Number(row!.inbox_id);
    const purchase = row!.id === null ? undefined : (row as unknown as PurchaseRow);
    const outcome = await settleStk(tx, deps, { inboxId, cb, receivedAt, purchase }, (input) =>
      creditInTx(tx, deps, input),
    );
    return { inboxId, outcome };
  });
  if (r.outcome === 'credited') {
    // Counted after the commit, as creditPurchase does: a transaction run again paid once.
    deps.metrics.payment('stk', '0');
    callbackPaid(deps, receivedAt);
  }
  return r;
}

const callbackPaid = (deps: Deps, receivedAt: Date) =>
  deps.metrics.callbackPaid((deps.clock.now().getTime() - receivedAt.getTime()) / 1000);

/** Process one stored STK callback. Idempotent: safe to run again on the same row. */
export async function processStkInbox(deps: Deps, inboxId: number): Promise<StkOutcome> {
  const row = await loadCallback(deps.db, inboxId);
  if (!row) return 'malformed';
  if (row.processed) return (row.outcome ?? 'malformed') as StkOutcome;
  // Rows stored before bodies were checked on arrival may hold anything: finish them here.
  const cb = row.json === undefined ? null : parseStkCallback(row.json);
  if (!cb) return finish(deps.db, deps, inboxId, 'malformed', null);
  const [purchase] = await query<PurchaseRow>(
    deps.db,
    sql`SELECT id, status, amount_kes, phone, mpesa_receipt FROM purchases WHERE checkout_request_id = ${cb.checkoutRequestId}`,
  );
  const receivedAt = asDate(row.receivedAt);
  const outcome = await settleStk(deps.db, deps, { inboxId, cb, receivedAt, purchase }, (input) =>
    creditPurchase(deps, input),
  );
  if (outcome === 'credited') callbackPaid(deps, receivedAt);
  return outcome;
}

async function finish(
  conn: Conn,
  deps: Deps,
  inboxId: number,
  outcome: StkOutcome,
  purchaseId: string | null,
) {
  await finishCallback(conn, deps, inboxId, outcome, purchaseId);
  return outcome;
}

/**
 * What a parsed STK callback means for its purchase, written on `conn` (the callback's own
 * transaction, or the database for the sweep); `credit` is the crediting that goes with it.
 */
async function settleStk(
  conn: Conn,
  deps: Deps,
  s: { inboxId: number; cb: StkCallback; receivedAt: Date; purchase: PurchaseRow | undefined },
  credit: (input: CreditInput) => Promise<CreditResult>,
): Promise<StkOutcome> {
  const { inboxId, cb } = s;
  let p = s.purchase;
  if (!p && cb.resultCode === '0' && cb.phone && cb.amountKes !== null) {
    // A push whose answer we never got (timeout) has no CheckoutRequestID; its success names the
    // phone and amount, which identify it while it is the phone's one open push.
    const adopted = await query<{ id: string }>(
      conn,
      sql`UPDATE purchases SET checkout_request_id = ${cb.checkoutRequestId}, merchant_request_id = ${cb.merchantRequestId}
          WHERE id = (SELECT id FROM purchases WHERE status = 'pending' AND channel = 'stk' AND phone = ${cb.phone}
                        AND amount_kes = ${cb.amountKes} AND checkout_request_id IS NULL LIMIT 1)
            AND checkout_request_id IS NULL
          RETURNING id`,
    );
    if (adopted[0]) {
      p = {
        id: adopted[0].id,
        status: 'pending',
        amount_kes: cb.amountKes,
        phone: cb.phone,
        mpesa_receipt: null,
      };
    }
  }
  if (!p) {
    const age = deps.clock.now().getTime() - s.receivedAt.getTime();
    if (age < UNKNOWN_RETRY_MS) return 'retry'; // left unprocessed; the inbox sweep looks again
    return finish(conn, deps, inboxId, 'unknown_checkout', null);
  }

  const meaning = meaningOf(cb.resultCode);
  if (meaning.outcome === 'paid') {
    if (cb.amountKes !== p.amount_kes) {
      deps.log.warn(
        { inboxId, purchase: p.id, got: cb.rawAmount },
        'STK success with the wrong amount: not credited',
      );
      return finish(conn, deps, inboxId, 'amount_mismatch', p.id);
    }
    if (cb.phone !== p.phone) {
      deps.log.warn({ inboxId, purchase: p.id }, 'STK success from another phone: not credited');
      return finish(conn, deps, inboxId, 'phone_mismatch', p.id);
    }
    if (!cb.receipt) return finish(conn, deps, inboxId, 'no_receipt', p.id);
    const r = await credit({
      purchaseId: p.id,
      receipt: cb.receipt,
      paidAmountKes: cb.amountKes,
      source: 'stk_callback',
      resultDesc: cb.resultDesc,
      inboxId,
    });
    // Crediting finished the inbox row in its last statement.
    if (r.outcome === 'credited') return 'credited';
    let outcome: StkOutcome = r.outcome === 'duplicate_receipt' ? 'duplicate_receipt' : 'duplicate';
    if (r.outcome === 'already_paid' && r.receipt && r.receipt !== cb.receipt) {
      // The purchase was paid by hand (C2B) and the prompt was paid too: money moved twice.
      deps.log.warn({ inboxId, purchase: p.id }, 'purchase paid twice; refund or credit the customer');
      outcome = 'paid_twice';
    }
    return finish(conn, deps, inboxId, outcome, p.id);
  }
  if (meaning.outcome === 'pending') {
    // Unknown code: not a failure. Ask Daraja soon instead of waiting for the next scheduled check.
    await conn.execute(
      sql`UPDATE purchases SET next_check_at = LEAST(next_check_at, ${deps.clock.now()}) WHERE id = ${p.id} AND status = 'pending'`,
    );
    return finish(conn, deps, inboxId, 'unknown_code', p.id);
  }
  const changed = await settleUnpaid(conn, deps, {
    purchaseId: p.id,
    status: meaning.outcome,
    resultCode: cb.resultCode,
    resultDesc: cb.resultDesc,
    inboxId, // finished there, in the same statement
  });
  return changed ? 'settled' : 'stale';
}

/**
 * Sweep: callbacks stored but not processed (a crash mid-way, or an id we did not know yet). One
 * run visits every waiting row once, page by page, so rows that must keep waiting (or keep
 * failing) never hold back the ones behind them.
 */
export async function sweepInbox(deps: Deps, pageSize = 100): Promise<number> {
  let seen = 0;
  for (let after = 0; ; ) {
    const rows = await waitingCallbacks(deps.db, after, pageSize);
    if (!rows.length) return seen;
    seen += rows.length;
    after = rows[rows.length - 1]!.id;
    for (const r of rows) {
      try {
        if (r.kind === 'stk') await processStkInbox(deps, r.id);
        else if (r.kind === 'c2b_confirm') await processC2bInbox(deps, r.id);
      } catch (e) {
        deps.log.error({ err: e, inboxId: r.id }, 'callback processing failed; will retry');
      }
    }
  }
}
