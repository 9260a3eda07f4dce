/**
 * What the buyer's browser sees: status, the reason in plain words, and the access code once paid.
 * `waitSeconds` long-polls: it returns as soon as the purchase leaves `pending` (NOTIFY), checking
 * the database at least every second in case a notification is missed, for at most 30 s.
 */
import { sql } from 'drizzle-orm';
import type { Deps } from '../app/deps.ts';
import { asDate, query } from '../db/open.ts';
import type { PurchaseStatus } from '../db/schema.ts';
import { AppError } from '../lib/errors.ts';
import { maskPhone } from '../lib/phone.ts';
import { purchaseEventsFor } from './events.ts';
import { reasonFor } from './result-codes.ts';

export const MAX_WAIT_SECONDS = 30;

export interface PurchaseView {
  id: string;
  ref: string;
  status: PurchaseStatus;
  reason: string | null;
  resultCode: string | null;
  /** Null for a subscription payment, which pays `subscriberId`'s account instead of a plan. */
  plan: { id: number; name: string; priceKes: number; durationSeconds: number } | null;
  subscriberId: number | null;
  amountKes: number;
  /** Masked: 0712***678. */
  phone: string | null;
  code: string | null;
  accessCodeId: string | null;
  /** The payment account it is paid to (null: a cash sale). */
  accountId: number | null;
  createdAt: Date;
  paidAt: Date | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

async function load(deps: Deps, id: string, lang: 'en' | 'sw'): Promise<PurchaseView | null> {
  const r = (
    await query<Record<string, any>>(
      deps.db,
      sql`SELECT p.id, p.ref, p.status, p.result_code, p.amount_kes, p.phone, p.access_code_id, p.created_at, p.paid_at, p.payment_account_id,
                 p.subscriber_id, pl.id AS plan_id, pl.name AS plan_name, pl.price_kes, pl.duration_seconds, ac.code_sealed
          FROM purchases p LEFT JOIN plans pl ON pl.id = p.plan_id
          LEFT JOIN access_codes ac ON ac.id = p.access_code_id
          WHERE p.id = ${id}`,
    )
  )[0];
  if (!r) return null;
  let code: string | null = null;
  if (r.status === 'paid' && r.code_sealed) {
    try {
      code = deps.sealer.unseal(r.code_sealed);
    } catch (e) {
      deps.log.error({ err: e, purchase: id }, 'cannot unseal access code');
    }
  }
  return {
    id: r.id,
    ref: r.ref,
    status: r.status,
    reason: reasonFor(r.status, r.result_code, lang),
    resultCode: r.result_code,
    plan:
      r.plan_id === null
        ? null
        : { id: r.plan_id, name: r.plan_name, priceKes: r.price_kes, durationSeconds: r.duration_seconds },
    subscriberId: r.subscriber_id ?? null,
    amountKes: r.amount_kes,
    phone: r.phone ? maskPhone(r.phone) : null,
    code,
    accessCodeId: r.access_code_id,
    accountId: r.payment_account_id ?? null,
    createdAt: asDate(r.created_at),
    paidAt: r.paid_at ? asDate(r.paid_at) : null,
  };
}

export async function getPurchase(
  deps: Deps,
  id: string,
  o: { waitSeconds?: number; lang?: 'en' | 'sw'; signal?: AbortSignal } = {},
): Promise<PurchaseView> {
  if (!UUID.test(id)) throw new AppError('not_found', 'No such payment.');
  const lang = o.lang ?? 'en';
  let view = await load(deps, id, lang);
  if (!view) throw new AppError('not_found', 'No such payment.');
  const waitMs = Math.min(Math.max(0, o.waitSeconds ?? 0), MAX_WAIT_SECONDS) * 1000;
  // Real time, not deps.clock: this is how long an HTTP request is held open.
  const until = Date.now() + waitMs;
  while (view.status === 'pending' && Date.now() < until && !o.signal?.aborted) {
    const slice = Math.min(1_000, until - Date.now());
    const hub = purchaseEventsFor(deps.database);
    if (hub) await hub.wait(id, slice, o.signal);
    else await new Promise((r) => setTimeout(r, Math.min(slice, 500)));
    view = (await load(deps, id, lang)) ?? view;
  }
  return view;
}
