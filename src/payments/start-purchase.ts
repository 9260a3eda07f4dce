/**
 * Start a purchase: record it, then send the STK push. One open push per phone (DB partial unique
 * index), and no second push of the same amount to the same phone within two minutes (Daraja
 * answers that with ResultCode 17 anyway). A push that times out is NOT retried: we cannot know
 * whether the prompt went out, so the purchase stays pending and is settled by callback or expiry.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Deps } from '../app/deps.ts';
import { asDate, isUniqueViolation, query } from '../db/open.ts';
import type { PurchaseStatus } from '../db/schema.ts';
import { AppError } from '../lib/errors.ts';
import { normalizeMac } from '../lib/mac.ts';
import { maskPhone, nonMpesaNetwork, normalizePhone } from '../lib/phone.ts';
import { getPlanForSale } from '../plans/index.ts';
import { amountDue, subscriberForPaying } from '../subscribers/index.ts';
import type { DarajaError } from '../protocols/daraja/errors.ts';
import { accountForRouter } from './accounts/resolve.ts';
import { callbackUrls } from './daraja.ts';
import { firstCheckAt } from './reconcile.ts';
import { newRef } from './ref.ts';
import { settleUnpaid } from './settle.ts';

/** Daraja's rule 17 window. */
export const SAME_AMOUNT_WINDOW_MS = 120_000;

export interface StartPurchaseInput {
  /** A hotspot plan; or `subscriberId` for a subscription payment of the amount due. */
  planId?: number;
  subscriberId?: number;
  phone: string;
  mac?: string | null;
  ip?: string | null;
  routerId?: number | null;
  purpose?: 'access' | 'voucher';
  recipientPhone?: string | null;
  /** The buyer's language at the portal: the receipt SMS is written in it. */
  lang?: 'en' | 'sw';
}

export async function startPurchase(
  deps: Deps,
  input: StartPurchaseInput,
): Promise<{ id: string; status: PurchaseStatus }> {
  const phone = normalizePhone(input.phone);
  if (!phone) throw new AppError('validation', 'Enter a Safaricom number, like 0712 345 678.');
  const network = nonMpesaNetwork(phone);
  if (network)
    throw new AppError(
      'validation',
      `phone: that is an ${network} number; M-Pesa works only with Safaricom numbers, like 0712 345 678.`,
    );
  const recipient = input.recipientPhone ? normalizePhone(input.recipientPhone) : null;
  if (input.recipientPhone && !recipient) {
    throw new AppError('validation', "Enter the receiver's Safaricom number, like 0712 345 678.");
  }
  const mac = input.mac ? normalizeMac(input.mac) : null;
  if (input.mac && !mac) throw new AppError('validation', 'The device address (MAC) is not valid.');
  const plan = await whatIsBought(deps, input);
  await checkRouter(deps, input.routerId);
  // The account of the router the customer is on (its own, its site's, else the default).
  const accountId = (await deps.accounts.get(await accountForRouter(deps.db, input.routerId))).accountId;

  const now = deps.clock.now();
  const open = await query(
    deps.db,
    sql`SELECT id FROM purchases WHERE phone = ${phone} AND status = 'pending' AND channel = 'stk' LIMIT 1`,
  );
  if (open.length) throw inProgress(phone);
  const recent = (
    await query<{ created_at: unknown }>(
      deps.db,
      sql`SELECT created_at FROM purchases WHERE phone = ${phone} AND amount_kes = ${plan.priceKes}
            AND checkout_request_id IS NOT NULL AND created_at > ${new Date(now.getTime() - SAME_AMOUNT_WINDOW_MS)}
          ORDER BY created_at DESC LIMIT 1`,
    )
  )[0];
  if (recent) {
    const wait = Math.max(
      1,
      Math.ceil((asDate(recent.created_at).getTime() + SAME_AMOUNT_WINDOW_MS - now.getTime()) / 1000),
    );
    throw new AppError(
      'rate_limited',
      `M-Pesa refuses the same amount from the same phone within 2 minutes. Try again in ${wait} seconds, or pick another package.`,
      { retryAfterSeconds: wait },
    );
  }

  const id = randomUUID();
  for (let attempt = 0; ; attempt++) {
    try {
      await deps.db.execute(
        sql`INSERT INTO purchases (id, ref, plan_id, subscriber_id, phone, amount_kes, channel, purpose, status, mac, ip, router_id,
                                   recipient_phone, lang, next_check_at, created_at, updated_at, payment_account_id)
            VALUES (${id}, ${newRef()}, ${plan.id}, ${plan.subscriberId}, ${phone}, ${plan.priceKes}, 'stk', ${plan.purpose ?? input.purpose ?? 'access'}, 'pending',
                    ${mac}, ${input.ip ?? null}, ${input.routerId ?? null}, ${recipient}, ${input.lang ?? null},
                    ${firstCheckAt(deps, now)}, ${now}, ${now}, ${accountId})`,
      );
      break;
    } catch (e) {
      if (isUniqueViolation(e, 'purchases_one_open_per_phone')) throw inProgress(phone);
      if (isUniqueViolation(e, 'purchases_ref_key') && attempt < 3) continue;
      throw e;
    }
  }
  const ref = (await query<{ ref: string }>(deps.db, sql`SELECT ref FROM purchases WHERE id = ${id}`))[0]!
    .ref;

  const push = await deps.darajaFor(accountId).stkPush({
    amountKes: plan.priceKes,
    phone,
    callbackUrl: callbackUrls(deps.config).stk,
    accountReference: ref,
    description: plan.description,
  });
  if (push.ok) {
    await deps.db.execute(
      sql`UPDATE purchases SET checkout_request_id = ${push.checkoutRequestId}, merchant_request_id = ${push.merchantRequestId},
             updated_at = ${deps.clock.now()}
          WHERE id = ${id} AND checkout_request_id IS NULL`,
    );
    return { id, status: 'pending' };
  }
  const e = push.error;
  if (e.kind === 'timeout' || e.kind === 'network') {
    // Maybe accepted, maybe not: never push again blind. A success callback still finds this
    // purchase by phone and amount; otherwise it expires on schedule.
    deps.log.warn({ purchase: id, error: e }, 'STK push outcome unknown');
    return { id, status: 'pending' };
  }
  const code = pushFailureCode(e);
  if (code === 'push_failed')
    deps.log.error({ purchase: id, error: e }, 'STK push refused; check the M-Pesa settings');
  else deps.log.warn({ purchase: id, error: e }, 'STK push refused');
  await settleUnpaid(deps.db, deps, {
    purchaseId: id,
    status: 'failed',
    resultCode: code,
    resultDesc: e.message,
  });
  return { id, status: 'failed' };
}

/**
 * The price and shape of what the push is for: a plan on sale, or a subscriber's amount due now
 * (computed here, never taken from the page, so a stale page cannot under- or over-charge).
 */
async function whatIsBought(
  deps: Deps,
  input: StartPurchaseInput,
): Promise<{
  id: number | null;
  subscriberId: number | null;
  priceKes: number;
  name: string;
  description: string;
  purpose?: 'subscription';
}> {
  if (input.subscriberId !== undefined) {
    const s =
      Number.isSafeInteger(input.subscriberId) && input.subscriberId > 0 && input.subscriberId <= MAX_ID
        ? await subscriberForPaying(deps.db, input.subscriberId)
        : null;
    if (!s || s.state === 'disconnected')
      throw new AppError('not_found', 'There is no account with that number.');
    return {
      id: null,
      subscriberId: s.id,
      priceKes: amountDue(s, deps.clock.now()),
      name: s.plan.name,
      description: `Internet ${s.accountNo}`,
      purpose: 'subscription',
    };
  }
  const plan = input.planId === undefined ? null : await getPlanForSale(deps.db, input.planId);
  if (!plan) throw new AppError('not_found', 'That package is not on sale. Please pick another one.');
  return {
    id: plan.id,
    subscriberId: null,
    priceKes: plan.priceKes,
    name: plan.name,
    description: `WiFi ${plan.name}`,
  };
}

function pushFailureCode(e: DarajaError): string {
  if (e.kind === 'subscriber_locked') return 'locked';
  if (e.kind === 'rate_limited' || e.kind === 'quota' || e.kind === 'server') return 'busy';
  return 'push_failed';
}

/** PostgreSQL `integer`: a larger id cannot name a row and would fail the query itself. */
const MAX_ID = 2_147_483_647;

/** The router the customer is on, when given, must be one we know (a typo is not a 500). */
async function checkRouter(deps: Deps, routerId: number | null | undefined): Promise<void> {
  if (routerId === null || routerId === undefined) return;
  const known =
    Number.isSafeInteger(routerId) &&
    routerId > 0 &&
    routerId <= MAX_ID &&
    (await query(deps.db, sql`SELECT 1 FROM routers WHERE id = ${routerId}`)).length > 0;
  if (!known) throw new AppError('validation', 'routerId: there is no router with that id.');
}

const inProgress = (phone: string) =>
  new AppError(
    'payment_in_progress',
    `A payment request is already waiting on ${maskPhone(phone)}. Check the phone and enter your M-Pesa PIN, or wait about a minute for it to end.`,
  );
