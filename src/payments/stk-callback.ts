/**
 * STK callbacks. The raw body is stored in callback_inbox before anything else, then processed.
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
import { asDate, query } from '../db/open.ts';
import { parseStkCallback } from '../protocols/daraja/callbacks.ts';
import { DARAJA_CALLBACK_IPS } from '../protocols/daraja/url-rules.ts';
import { processC2bInbox } from './c2b.ts';
import type { CallbackBody } from './callback-body.ts';
import { creditPurchase } from './credit.ts';
import { finishCallback, loadCallback, storeCallback, waitingCallbacks } from './inbox.ts';
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
  const inboxId = await storeCallback(deps.db, deps, {
    kind: 'stk',
    body: o.body,
    remoteAddr: o.remoteAddr,
    checkoutRequestId: cb?.checkoutRequestId ?? null,
    receipt: cb?.receipt ?? null,
    outcome: final,
  });
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
    return { inboxId, outcome: 'bad_secret' };
  }
  if (final) return { inboxId, outcome: final };
  let outcome: StkOutcome = 'retry';
  // Our push may still be recording its CheckoutRequestID when a fast callback lands: look again briefly.
  for (let i = 0; i < 4 && outcome === 'retry'; i++) {
    if (i) await new Promise((r) => setTimeout(r, 150));
    outcome = await processStkInbox(deps, inboxId);
  }
  return { inboxId, outcome };
}

async function finish(deps: Deps, inboxId: number, outcome: StkOutcome, purchaseId: string | null) {
  await finishCallback(deps.db, deps, inboxId, outcome, purchaseId);
  return outcome;
}

/** Process one stored STK callback. Idempotent: safe to run again on the same row. */
export async function processStkInbox(deps: Deps, inboxId: number): Promise<StkOutcome> {
  const row = await loadCallback(deps.db, inboxId);
  if (!row) return 'malformed';
  if (row.processed) return (row.outcome ?? 'malformed') as StkOutcome;
  // Rows stored before bodies were checked on arrival may hold anything: finish them here.
  const cb = row.json === undefined ? null : parseStkCallback(row.json);
  if (!cb) return finish(deps, inboxId, 'malformed', null);

  let p = (
    await query<{
      id: string;
      status: string;
      amount_kes: number;
      phone: string | null;
      mpesa_receipt: string | null;
    }>(
      deps.db,
      sql`SELECT id, status, amount_kes, phone, mpesa_receipt FROM purchases WHERE checkout_request_id = ${cb.checkoutRequestId}`,
    )
  )[0];
  if (!p && cb.resultCode === '0' && cb.phone && cb.amountKes !== null) {
    // A push whose answer we never got (timeout) has no CheckoutRequestID; its success names the
    // phone and amount, which identify it while it is the phone's one open push.
    const adopted = await query<{ id: string }>(
      deps.db,
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
    const age = deps.clock.now().getTime() - asDate(row.receivedAt).getTime();
    if (age < UNKNOWN_RETRY_MS) return 'retry'; // left unprocessed; the inbox sweep looks again
    return finish(deps, inboxId, 'unknown_checkout', null);
  }

  const meaning = meaningOf(cb.resultCode);
  if (meaning.outcome === 'paid') {
    if (cb.amountKes !== p.amount_kes) {
      deps.log.warn(
        { inboxId, purchase: p.id, got: cb.rawAmount },
        'STK success with the wrong amount: not credited',
      );
      return finish(deps, inboxId, 'amount_mismatch', p.id);
    }
    if (cb.phone !== p.phone) {
      deps.log.warn({ inboxId, purchase: p.id }, 'STK success from another phone: not credited');
      return finish(deps, inboxId, 'phone_mismatch', p.id);
    }
    if (!cb.receipt) return finish(deps, inboxId, 'no_receipt', p.id);
    const r = await creditPurchase(deps, {
      purchaseId: p.id,
      receipt: cb.receipt,
      paidAmountKes: cb.amountKes,
      source: 'stk_callback',
      resultDesc: cb.resultDesc,
    });
    if (r.outcome === 'credited')
      deps.metrics.callbackPaid((deps.clock.now().getTime() - asDate(row.receivedAt).getTime()) / 1000);
    let outcome: StkOutcome =
      r.outcome === 'credited'
        ? 'credited'
        : r.outcome === 'duplicate_receipt'
          ? 'duplicate_receipt'
          : 'duplicate';
    if (r.outcome === 'already_paid' && r.receipt && r.receipt !== cb.receipt) {
      // The purchase was paid by hand (C2B) and the prompt was paid too: money moved twice.
      deps.log.warn({ inboxId, purchase: p.id }, 'purchase paid twice; refund or credit the customer');
      outcome = 'paid_twice';
    }
    return finish(deps, inboxId, outcome, p.id);
  }
  if (meaning.outcome === 'pending') {
    // Unknown code: not a failure. Ask Daraja soon instead of waiting for the next scheduled check.
    await deps.db.execute(
      sql`UPDATE purchases SET next_check_at = LEAST(next_check_at, ${deps.clock.now()}) WHERE id = ${p.id} AND status = 'pending'`,
    );
    return finish(deps, inboxId, 'unknown_code', p.id);
  }
  const changed = await settleUnpaid(deps.db, deps, {
    purchaseId: p.id,
    status: meaning.outcome,
    resultCode: cb.resultCode,
    resultDesc: cb.resultDesc,
  });
  return finish(deps, inboxId, changed ? 'settled' : 'stale', p.id);
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
