/**
 * The portal's calls into the features it sits on (payments, access, gateways), mapped to the
 * shapes the pages use. Routes call only these, so each page stays a function of plain data.
 */
import type { AccessDecision } from '../access/index.ts';
import { recoverAccess } from '../access/index.ts';
import { redeemCode, voucherPasswordById } from '../access/index.ts';
import type { Deps } from '../app/deps.ts';
import { isAppError } from '../lib/errors.ts';
import { getPurchase as getPurchaseView } from '../payments/index.ts';
import { startPurchase as startPayment } from '../payments/index.ts';
import { purchaseForRetry, RETRYABLE_STATUSES, startStatusCheck } from '../payments/index.ts';
import type { Lang } from './i18n/index.ts';
import type { FormError, PaybillInfo } from './pages.ts';

/** A device coming back: time left and Reconnect, only with the router's word for it. */
export { type ReturningDevice, reconnect, timeLeft } from './returning.ts';
/** Paid, but the router's login failed: the code and a retry instead of the packages. */
export { paidHere, pushAgain } from './paid.ts';

export interface PurchaseState {
  id: string;
  ref: string;
  status: 'pending' | 'paid' | 'failed' | 'cancelled' | 'expired';
  resultCode: string | null;
  /** Why it failed, in the page's language (from the payments feature). */
  reason: string | null;
  planName: string;
  amountKes: number;
  /** Masked for display. */
  phone: string;
  code: string | null;
  accessCodeId: string | null;
  accountId: number | null;
  createdAt: Date;
}

export type Authorized =
  | {
      ok: true;
      code: string;
      accessCodeId: string;
      secondsLeft: number;
      bytesLeft: number | null;
      devices: number;
    }
  | { ok: false; reason: FormError };

/** Where the request came from, for the guessing limits (per device, per address). */
export interface Origin {
  ip: string | null;
  sourceIp: string;
}

export async function startPurchase(
  deps: Deps,
  input: {
    planId: number;
    phone: string;
    mac: string | null;
    ip: string | null;
    routerId: number | null;
    lang?: Lang;
  },
): Promise<{ id: string }> {
  return startPayment(deps, { ...input, purpose: 'access' });
}

/**
 * "Try again": the same package on the same phone (kept server-side), from this device. Only a
 * purchase that ended unpaid is retried; a paid or still-open one starts nothing.
 */
export async function retryPurchase(
  deps: Deps,
  id: string,
  device: { mac: string | null; ip: string | null; routerId: number | null; lang?: Lang },
): Promise<{ started: string } | 'not_retryable' | 'unknown'> {
  const old = await purchaseForRetry(deps.db, id);
  if (!old?.phone) return 'unknown';
  if (!RETRYABLE_STATUSES.includes(old.status)) return 'not_retryable';
  const p = await startPurchase(deps, {
    planId: old.planId,
    phone: old.phone,
    mac: device.mac ?? old.mac,
    ip: device.ip ?? old.ip,
    routerId: device.routerId ?? old.routerId,
    lang: device.lang,
  });
  return { started: p.id };
}

export async function getPurchase(deps: Deps, id: string, lang: Lang): Promise<PurchaseState | null> {
  try {
    const v = await getPurchaseView(deps, id, { lang });
    // A subscription payment has its own pages (routes/pay.ts), not the hotspot's.
    if (!v.plan) return null;
    return {
      id: v.id,
      ref: v.ref,
      status: v.status,
      resultCode: v.resultCode,
      reason: v.reason,
      planName: v.plan.name,
      amountKes: v.amountKes,
      phone: v.phone ?? '',
      code: v.code,
      accessCodeId: v.accessCodeId,
      accountId: v.accountId,
      createdAt: v.createdAt,
    };
  } catch (e) {
    if (isAppError(e) && e.code === 'not_found') return null;
    throw e;
  }
}

function authorized(d: AccessDecision): Authorized {
  if (!d.ok) return { ok: false, reason: d.reason };
  return {
    ok: true,
    code: d.code,
    accessCodeId: d.accessCodeId,
    secondsLeft: d.secondsLeft,
    bytesLeft: d.bytesLeft,
    devices: d.devices,
  };
}

/** Too many wrong tries from this device or address: the access feature says when to come back. */
async function throttled(run: () => Promise<Authorized>): Promise<Authorized> {
  try {
    return await run();
  } catch (e) {
    if (isAppError(e) && e.code === 'rate_limited') return { ok: false, reason: 'too_many' };
    if (isAppError(e) && e.code === 'validation') return { ok: false, reason: 'no_device' };
    throw e;
  }
}

/** Voucher (or any access code) login: throttled, starts the clock on first use, binds this device. */
export function redeem(
  deps: Deps,
  input: { code: string; password?: string | null; mac: string; routerId: number | null } & Origin,
): Promise<Authorized> {
  return throttled(async () => authorized(await redeemCode(deps, input)));
}

/** An imported voucher's own password, for the router login (null: the code is the password). */
export const voucherPassword = voucherPasswordById;

/** "Already paid?": the M-Pesa receipt of a paid purchase puts this device on that purchase's code. */
export function recoverByReceipt(
  deps: Deps,
  input: { receipt: string; mac: string; routerId: number | null; lang: Lang } & Origin,
): Promise<Authorized> {
  return throttled(async () => {
    const r = await recoverAccess(deps, input);
    if (r.via !== 'receipt') return { ok: false, reason: 'receipt_unknown' };
    if (!r.ok && r.reason === 'unknown' && /^[A-Z0-9]{10}$/.test(input.receipt)) {
      // A receipt we have no record of: ask Safaricom (Transaction Status). The miss above was
      // already counted like code guessing; the check has its own per-device limit too.
      const c = await startStatusCheck(deps, {
        receipt: input.receipt,
        mac: input.mac,
        ip: input.ip ?? null,
        routerId: input.routerId,
      });
      if (c.state === 'checking') return { ok: false, reason: 'receipt_checking' };
      if (c.state === 'already_claimed' || c.state === 'not_ours')
        return { ok: false, reason: 'receipt_claimed' };
      if (c.state === 'too_many') return { ok: false, reason: 'too_many' };
      return { ok: false, reason: 'receipt_unknown' };
    }
    if (!r.ok)
      return {
        ok: false,
        reason:
          r.reason === 'unknown'
            ? 'receipt_unknown'
            : r.reason === 'expired' || r.reason === 'used_up'
              ? 'receipt_used'
              : r.reason,
      };
    return authorized(r);
  });
}

/** Phone + amount + day: the code is texted to the phone that paid; the answer never says whether it did. */
export async function recoverBySms(
  deps: Deps,
  input: {
    phone: string;
    amountKes: number;
    day: string;
    mac: string;
    routerId: number | null;
    lang: Lang;
  } & Origin,
): Promise<'sent' | FormError> {
  try {
    await recoverAccess(deps, input);
    return 'sent';
  } catch (e) {
    if (isAppError(e) && e.code === 'rate_limited') return 'too_many';
    if (isAppError(e) && e.code === 'validation') return 'phone';
    throw e;
  }
}

/** What to type in the M-Pesa menu for this purchase: the purchase ref is the Paybill account. */
export async function paybillFor(deps: Deps, p: PurchaseState): Promise<PaybillInfo> {
  // The purchase's own account, as in force now (a dashboard change shows on the next page).
  const m = await deps.accounts.get(p.accountId);
  if (m.type === 'till')
    return { type: 'till', number: m.till ?? m.shortcode, account: null, amountKes: p.amountKes };
  return { type: 'paybill', number: m.shortcode, account: p.ref, amountKes: p.amountKes };
}

/** Seconds until the PIN request ends (paid, failed, or expired by the reconciler). */
export const pinSecondsLeft = (deps: Deps, p: PurchaseState): number =>
  (p.createdAt.getTime() + deps.config.mpesa.expireAfterMs - deps.clock.now().getTime()) / 1000;
