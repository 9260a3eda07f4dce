/**
 * "I paid but I'm not online" / "new phone": find the customer's paid purchase and get them back
 * on. Nothing the customer types is trusted on its own (existing systems hand out access for a
 * pasted SMS or a receipt nobody checked):
 *  - by M-Pesa receipt: only an exact match on a purchase we recorded as paid (the receipt came
 *    from Safaricom's callback or query, never from the customer). The receipt is the proof of
 *    payment, so the device is bound and the code shown; if the plan's device slots are full the
 *    least recently seen device is replaced (at most REBINDS_PER_DAY times per code).
 *  - by phone + amount + day: weaker proof (anyone may know a phone number), so the code is never
 *    shown or bound here. It is sent by SMS to the phone that paid, and the answer is the same
 *    whether or not anything matched, so the endpoint cannot be used to learn who paid.
 * Both paths are throttled like code guessing, and every miss is audited.
 */
import { sql } from 'drizzle-orm';
import type { Deps } from '../app/deps.ts';
import { query } from '../db/open.ts';
import { DAY_MS, eatDayStart } from '../lib/eat-time.ts';
import { AppError } from '../lib/errors.ts';
import { maskPhone, normalizePhone } from '../lib/phone.ts';
import { renderSms, type SmsLang } from '../notify/index.ts';
import { queueSms } from '../notify/index.ts';
import { loadBranding } from '../branding/index.ts';
import { audit, CUSTOMER } from '../audit/index.ts';
import { normalizeMac } from '../lib/mac.ts';
import { type AccessDecision, authorizeCode } from './authorize.ts';
import { guessFailed, guessSucceeded, startGuess } from './guessing.ts';
import { checkRateLimit } from './rate-limit.ts';
import { unbindDevice } from './free-device.ts';

export const REBINDS_PER_DAY = 3;
export const RECOVERY_SMS_PER_DAY = 3;

interface Common {
  mac: string;
  routerId?: number | null | undefined;
  ip?: string | null | undefined;
  sourceIp?: string | null | undefined;
  lang?: SmsLang | undefined;
}
export type RecoverInput = Common & ({ receipt: string } | { phone: string; amountKes: number; day: string });

export type RecoverResult =
  | (AccessDecision & { via: 'receipt'; replacedDevice?: string | null })
  | { ok: true; via: 'sms'; message: string };

export async function recoverAccess(deps: Deps, input: RecoverInput): Promise<RecoverResult> {
  const mac = normalizeMac(input.mac);
  if (!mac) throw new AppError('validation', 'mac: not a device (MAC) address');
  const scope = { path: 'recover', mac, ip: input.sourceIp ?? input.ip ?? null };
  if ('receipt' in input) return byReceipt(deps, input, mac, scope);
  return byPhone(deps, input, scope);
}

async function byReceipt(
  deps: Deps,
  input: Common & { receipt: string },
  mac: string,
  scope: { path: string; mac: string; ip: string | null },
): Promise<RecoverResult> {
  const ticket = await startGuess(deps, scope);
  const receipt = input.receipt.toUpperCase().replace(/\s/g, '');
  const notFound = {
    ok: false as const,
    via: 'receipt' as const,
    reason: 'unknown' as const,
    message:
      'We found no paid purchase with that M-Pesa code. Check it in your M-Pesa SMS (10 letters and digits).',
  };
  if (!/^[A-Z0-9]{10}$/.test(receipt)) {
    await guessFailed(deps, scope, 'bad_receipt');
    return notFound;
  }
  const [p] = await query<{ id: string; access_code_id: string; code_sealed: string }>(
    deps.db,
    sql`SELECT p.id, p.access_code_id, c.code_sealed FROM purchases p
        JOIN access_codes c ON c.id = p.access_code_id
        WHERE p.mpesa_receipt = ${receipt} AND p.status = 'paid'`,
  );
  if (!p) {
    await guessFailed(deps, scope, 'no_paid_purchase');
    return notFound;
  }
  await guessSucceeded(deps, ticket);
  const code = deps.sealer.unseal(p.code_sealed);
  const routerId = input.routerId ?? null;
  let decision = await authorizeCode(deps, { code, mac, routerId });
  let replacedDevice: string | null = null;
  if (!decision.ok && decision.reason === 'device_limit') {
    replacedDevice = await replaceOldestDevice(deps, p.access_code_id, mac, scope.ip);
    if (replacedDevice) decision = await authorizeCode(deps, { code, mac, routerId });
  }
  await audit(deps.db, deps, {
    actor: CUSTOMER,
    action: decision.ok ? 'access.recover' : 'access.recover.refused',
    entity: 'purchase',
    entityId: p.id,
    detail: { mac, replacedDevice, reason: decision.ok ? null : decision.reason },
    ip: scope.ip,
  });
  return { ...decision, via: 'receipt', replacedDevice };
}

/**
 * Free a device slot for a customer who proved payment: the device seen least recently goes,
 * and is taken off the router (gateway.release-device). Limited per code so two people cannot share a one-device
 * plan by taking turns.
 */
async function replaceOldestDevice(deps: Deps, accessCodeId: string, newMac: string, ip: string | null) {
  const limit = await checkRateLimit(deps.db, deps, `rebind:${accessCodeId}`, REBINDS_PER_DAY, 24 * 3600_000);
  if (!limit.allowed) return null;
  return deps.db.transaction(async (tx) => {
    await tx.execute(sql`SELECT id FROM access_codes WHERE id = ${accessCodeId} FOR UPDATE`);
    const [old] = await query<{ mac: string }>(
      tx,
      sql`SELECT mac FROM access_devices WHERE access_code_id = ${accessCodeId} AND mac <> ${newMac}
          ORDER BY last_seen_at ASC NULLS FIRST, bound_at ASC LIMIT 1`,
    );
    if (!old) return null;
    await unbindDevice(tx, deps, accessCodeId, old.mac);
    await audit(tx, deps, {
      actor: CUSTOMER,
      action: 'access.recover.rebind',
      entity: 'access_code',
      entityId: accessCodeId,
      detail: { removed: old.mac, added: newMac },
      ip,
    });
    return old.mac;
  });
}

async function byPhone(
  deps: Deps,
  input: Common & { phone: string; amountKes: number; day: string },
  scope: { path: string; mac: string; ip: string | null },
): Promise<RecoverResult> {
  const phone = normalizePhone(input.phone);
  if (!phone) throw new AppError('validation', 'phone: enter the Safaricom number that paid');
  if (!Number.isSafeInteger(input.amountKes) || input.amountKes < 1)
    throw new AppError('validation', 'amountKes: the amount paid, in whole shillings');
  const from = eatDayStart(input.day);
  if (!from) throw new AppError('validation', 'day: the date paid, as YYYY-MM-DD');
  await startGuess(deps, scope);
  const perPhone = await checkRateLimit(
    deps.db,
    deps,
    `recover-sms:${phone}`,
    RECOVERY_SMS_PER_DAY,
    24 * 3600_000,
  );
  if (!perPhone.allowed) {
    throw new AppError(
      'rate_limited',
      'Codes were already sent to that phone several times today. Check its SMS inbox.',
      {
        retryAfterSeconds: perPhone.retryAfterSeconds,
      },
    );
  }
  // The day as people in Kenya mean it.
  const to = new Date(from.getTime() + DAY_MS);
  const matches = await query<{ id: string; code_sealed: string; plan_name: string }>(
    deps.db,
    sql`SELECT p.id, c.code_sealed, pl.name AS plan_name FROM purchases p
        JOIN access_codes c ON c.id = p.access_code_id
        JOIN plans pl ON pl.id = p.plan_id
        WHERE p.phone = ${phone} AND p.status = 'paid'
          AND COALESCE(p.paid_amount_kes, p.amount_kes) = ${input.amountKes}
          AND p.paid_at >= ${from} AND p.paid_at < ${to}
          AND c.status IN ('issued', 'active')
        ORDER BY p.paid_at DESC LIMIT 3`,
  );
  const message = `If ${maskPhone(phone)} paid KES ${input.amountKes} on ${input.day}, its code has been sent to that phone by SMS.`;
  if (!matches.length) {
    await guessFailed(deps, scope, 'no_paid_purchase', { phone: maskPhone(phone) });
    return { ok: true, via: 'sms', message };
  }
  const branding = await loadBranding(deps.db);
  await deps.db.transaction(async (tx) => {
    for (const x of matches) {
      const code = deps.sealer.unseal(x.code_sealed);
      const body = renderSms('code', input.lang ?? 'en', {
        business: branding.name,
        code,
        plan: x.plan_name,
        supportPhone: branding.supportPhone,
      });
      await queueSms(tx, deps, { to: phone, body, code, template: 'code', purchaseId: x.id });
    }
    await audit(tx, deps, {
      actor: CUSTOMER,
      action: 'access.recover.sms',
      entity: 'purchase',
      entityId: matches[0]!.id,
      detail: { count: matches.length, mac: scope.mac },
      ip: scope.ip,
    });
  });
  return { ok: true, via: 'sms', message };
}
