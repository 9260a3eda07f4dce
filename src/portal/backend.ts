/**
 * The portal's calls into the features it sits on (payments, access, gateways), mapped to the
 * shapes the pages use. Routes call only these, so each page stays a function of plain data.
 */
import type { Deps } from '../app/deps.ts';
import {
  type AccessDecision,
  authorizeCode as authorizeAccessCode,
  authorizeMac as authorizeAccessMac,
} from '../access/authorize.ts';
import { AppError } from '../lib/errors.ts';
import type { FormError, PaybillInfo } from './pages.ts';

export interface PurchaseState {
  id: string;
  ref: string;
  status: 'pending' | 'paid' | 'failed' | 'cancelled' | 'expired';
  resultCode: string | null;
  planName: string;
  amountKes: number;
  /** Masked for display. */
  phone: string;
  code: string | null;
  accessCodeId: string | null;
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

const notYet = (what: string) => new AppError('unavailable', `${what} is not available yet.`);

export async function startPurchase(
  _deps: Deps,
  _input: { planId: number; phone: string; mac: string | null; ip: string | null; routerId: number | null },
): Promise<{ id: string }> {
  throw notYet('Payment');
}

export async function getPurchase(_deps: Deps, _id: string): Promise<PurchaseState | null> {
  throw notYet('Payment');
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

/** Voucher (or any access code) login: starts the clock on first use and binds this device. */
export async function authorizeCode(
  deps: Deps,
  input: { code: string; mac: string; routerId: number | null },
): Promise<Authorized> {
  return authorized(await authorizeAccessCode(deps, input));
}

/** This device is already bound to a live code ("welcome back", status page). */
export async function authorizeMac(
  deps: Deps,
  input: { mac: string; routerId: number | null },
): Promise<Authorized> {
  return authorized(await authorizeAccessMac(deps, input));
}

export async function recoverByReceipt(
  _deps: Deps,
  _input: { receipt: string; mac: string; routerId: number | null },
): Promise<Authorized> {
  throw notYet('Recovery');
}

/** What to type in the M-Pesa menu for this purchase. */
export function paybillFor(deps: Deps, p: PurchaseState): PaybillInfo {
  const m = deps.config.mpesa;
  if (m.type === 'till')
    return { type: 'till', number: m.till ?? m.shortcode, account: null, amountKes: p.amountKes };
  return { type: 'paybill', number: m.shortcode, account: p.ref, amountKes: p.amountKes };
}
