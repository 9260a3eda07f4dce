/**
 * The reconciler: asks Daraja (STK Query) about purchases nobody has told us about, so a lost
 * callback never leaves a customer paid-but-offline, and every purchase reaches a final state in
 * about two minutes. Runs as a recurring job on any number of workers: a purchase is claimed by
 * pushing its next_check_at forward (FOR UPDATE SKIP LOCKED, short transaction), and Daraja is
 * called with no transaction open.
 *
 * Schedule, from the push: ask at +20 s, +45 s, +70 s, +95 s; still pending at +110 s → expired
 * (MPESA_QUERY_AT and MPESA_EXPIRE_AFTER change it, e.g. for a fault run against the simulator).
 * An expired push is asked again 5 min, 30 min, 2 h, 6 h and 24 h later until Daraja gives a
 * definite answer (money that moved late still counts); a failed late query is retried in 5 min.
 * STK Query is rate-limited (observed: 5/min on the sandbox): each run asks at most
 * `maxQueries`, and an HTTP 429 stops every node's queries until the back-off passes.
 */
import { sql } from 'drizzle-orm';
import type { Deps } from '../app/deps.ts';
import { asDate, query } from '../db/open.ts';
import { getSetting, putSetting } from '../settings/index.ts';
import { creditPurchase } from './credit.ts';
import { meaningOf } from './result-codes.ts';
import { settleUnpaid } from './settle.ts';

export const LATE_CHECKS_MS = [5 * 60_000, 30 * 60_000, 2 * 3600_000, 6 * 3600_000, 24 * 3600_000];
/** An expired push whose late check failed (500, timeout) is asked again this soon. */
const LATE_RETRY_MS = 5 * 60_000;
/** How long a claimed purchase is left alone by other workers while we query it. */
const CLAIM_MS = 30_000;
const BACKOFF_KEY = 'payments.query_backoff_until';

export interface ReconcileOptions {
  /** Most STK Queries one run may make. */
  maxQueries?: number;
}

export interface PaymentReconcileReport {
  claimed: number;
  queried: number;
  credited: number;
  settled: number;
  expired: number;
  rateLimited: boolean;
}

interface Due {
  id: string;
  status: 'pending' | 'expired';
  checkout_request_id: string | null;
  payment_account_id: number | null;
  created_at: unknown;
  expired_at: unknown;
}

/** When the push is first asked about (from config; 20 s by default). */
export const firstCheckAt = (deps: Pick<Deps, 'config'>, createdAt: Date): Date =>
  new Date(createdAt.getTime() + deps.config.mpesa.queryAtMs[0]!);

export function nextCheckAt(
  schedule: { queryAtMs: number[]; expireAfterMs: number },
  createdAt: Date,
  now: Date,
): Date {
  const age = now.getTime() - createdAt.getTime();
  const next = schedule.queryAtMs.find((o) => o > age + 1_000) ?? schedule.expireAfterMs;
  return new Date(createdAt.getTime() + Math.max(next, age + 5_000));
}

function lateCheckAt(expiredAt: Date, now: Date): Date | null {
  const age = now.getTime() - expiredAt.getTime();
  const next = LATE_CHECKS_MS.find((o) => o > age + 1_000);
  return next === undefined ? null : new Date(expiredAt.getTime() + next);
}

export async function reconcilePayments(
  deps: Deps,
  o: ReconcileOptions = {},
): Promise<PaymentReconcileReport> {
  const report: PaymentReconcileReport = {
    claimed: 0,
    queried: 0,
    credited: 0,
    settled: 0,
    expired: 0,
    rateLimited: false,
  };
  const now = deps.clock.now();
  const backoff = await getSetting<{ until: string }>(deps.db, BACKOFF_KEY);
  const queriesAllowed = !backoff || new Date(backoff.until).getTime() <= now.getTime();
  const limit = o.maxQueries ?? 10;
  const schedule = deps.config.mpesa;

  const due = await query<Due>(
    deps.db,
    sql`UPDATE purchases SET next_check_at = ${new Date(now.getTime() + CLAIM_MS)}, check_attempts = check_attempts + 1
        WHERE id IN (
          SELECT id FROM purchases
          WHERE next_check_at <= ${now} AND (status = 'pending' OR status = 'expired') AND channel = 'stk'
          ORDER BY next_check_at LIMIT ${limit}
          FOR UPDATE SKIP LOCKED)
        RETURNING id, status, checkout_request_id, created_at, expired_at, payment_account_id`,
  );
  report.claimed = due.length;
  let stop = !queriesAllowed;
  for (const p of due) {
    const createdAt = asDate(p.created_at);
    const overdue = now.getTime() - createdAt.getTime() >= schedule.expireAfterMs;
    if (!p.checkout_request_id || stop) {
      if (p.status === 'pending' && overdue) {
        if (await expire(deps, p.id)) report.expired++;
      } else if (p.status === 'pending') {
        await reschedule(deps, p.id, nextCheckAt(schedule, createdAt, now));
      }
      // expired + rate limited: keep the claim's later time; it is looked at again after it.
      continue;
    }
    report.queried++;
    // Asked of the account that pushed it: another shortcode's query would not know the id.
    const q = await deps.darajaFor(p.payment_account_id).stkQuery(p.checkout_request_id);
    if (!q.ok && q.error.kind === 'rate_limited') {
      report.rateLimited = true;
      stop = true;
      const waitMs = Math.max(q.error.retryAfterMs ?? 0, 30_000);
      const until = new Date(deps.clock.now().getTime() + waitMs);
      await putSetting(deps.db, deps.clock.now(), BACKOFF_KEY, { until: until.toISOString() });
      deps.log.warn({ waitMs }, 'STK Query rate limited; backing off');
      if (p.status === 'pending' && overdue) {
        if (await expire(deps, p.id)) report.expired++;
      } else if (p.status === 'pending') await reschedule(deps, p.id, until);
      continue;
    }
    if (q.ok && q.state === 'final') {
      const meaning = meaningOf(q.resultCode);
      if (meaning.outcome === 'paid') {
        // The query gives no receipt or amount: it confirms this CheckoutRequestID was paid.
        const r = await creditPurchase(deps, {
          purchaseId: p.id,
          receipt: null,
          paidAmountKes: null,
          source: 'stk_query',
        });
        if (r.outcome === 'credited') report.credited++;
        continue;
      }
      if (meaning.outcome !== 'pending') {
        if (p.status === 'pending') {
          const changed = await settleUnpaid(deps.db, deps, {
            purchaseId: p.id,
            status: meaning.outcome,
            resultCode: q.resultCode,
            resultDesc: q.resultDesc,
          });
          if (changed) report.settled++;
        } else {
          // Expired, and Daraja now says it definitely failed: nothing more to ask.
          await deps.db.execute(
            sql`UPDATE purchases SET next_check_at = NULL WHERE id = ${p.id} AND status = 'expired'`,
          );
        }
        continue;
      }
    }
    if (!q.ok) deps.log.warn({ purchase: p.id, error: q.error }, 'STK Query failed; will ask again');
    // Still processing, 4999, an unknown code or an error: not a failure. Ask again, or give up waiting.
    if (p.status === 'pending') {
      if (overdue) {
        if (await expire(deps, p.id)) report.expired++;
      } else await reschedule(deps, p.id, nextCheckAt(schedule, createdAt, deps.clock.now()));
    } else {
      const t = deps.clock.now();
      const expiredAt = asDate(p.expired_at);
      let late = lateCheckAt(expiredAt, t);
      // No answer at all (500, timeout): that check does not count; ask again soon.
      if (!q.ok && t.getTime() - expiredAt.getTime() < LATE_CHECKS_MS.at(-1)!) {
        late = new Date(Math.min(t.getTime() + LATE_RETRY_MS, late?.getTime() ?? Number.POSITIVE_INFINITY));
      }
      await deps.db.execute(
        sql`UPDATE purchases SET next_check_at = ${late} WHERE id = ${p.id} AND status = 'expired'`,
      );
    }
  }
  return report;
}

async function reschedule(deps: Deps, id: string, at: Date) {
  await deps.db.execute(
    sql`UPDATE purchases SET next_check_at = ${at} WHERE id = ${id} AND status = 'pending'`,
  );
}

function expire(deps: Deps, id: string) {
  return settleUnpaid(deps.db, deps, {
    purchaseId: id,
    status: 'expired',
    resultCode: 'timeout',
    resultDesc: null,
  });
}
