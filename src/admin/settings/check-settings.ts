/**
 * The Settings and Payment accounts pages' buttons: test an account's M-Pesa credentials (fetch
 * an OAuth token), register its C2B URLs, and send a test SMS. Each answers in plain words, with
 * Daraja's or the provider's own answer beside it; a failure is a result, never an error page.
 */
import type { Deps } from '../../app/deps.ts';
import { normalizePhone } from '../../lib/phone.ts';
import { AppError } from '../../lib/errors.ts';
import {
  accountOrDefault,
  callbackUrls,
  explainDarajaError,
  statusCheckReadiness,
} from '../../payments/index.ts';
import { markTested } from '../payment-accounts/manage-accounts.ts';

export interface CheckResult {
  ok: boolean;
  message: string;
  /** What the other side said, as it said it. */
  answer: string | null;
  /** Passed, but something else of the account's is not usable (the Transaction Status initiator). */
  warning?: string;
}

/** `accountId` null: the default account (the settings in force). */
export async function testMpesa(deps: Deps, accountId: number | null = null): Promise<CheckResult> {
  const m = await accountOrDefault(deps.accounts, accountId);
  const t = await deps.darajaFor(m.accountId).token();
  // The keys are what payments need; the initiator only matters for "Already paid?" with a
  // receipt Wavu never saw, so its problem is told beside a passing test rather than failing it.
  const status = statusCheckReadiness(deps, m);
  const statusNote = status.ok
    ? ' Receipts that customers type in can be confirmed with Safaricom.'
    : ` But receipts that customers type in cannot be confirmed with Safaricom: ${status.problem} (initiator name and password, for ${m.environment}).`;
  if (t.ok) {
    await markTested(deps, m.accountId);
    return {
      ok: true,
      message: `Daraja accepted the consumer key and secret of ${m.name} (${m.environment}).${statusNote}`,
      answer: null,
      ...(status.ok ? {} : { warning: status.problem }),
    };
  }
  return {
    ok: false,
    message: explainDarajaError(t.error, m.environment),
    answer: `${t.error.errorCode} ${t.error.message}`,
  };
}

export async function registerMpesaUrls(deps: Deps, accountId: number | null = null): Promise<CheckResult> {
  const m = await accountOrDefault(deps.accounts, accountId);
  const urls = callbackUrls(deps.config);
  const r = await deps.darajaFor(m.accountId).registerC2bUrls({
    confirmationUrl: urls.c2bConfirm,
    validationUrl: urls.c2bValidate,
  });
  if (r.ok)
    return {
      ok: true,
      message: `Daraja registered the payment notification URLs for ${m.name}: Paybill and Till payments made by hand now reach Wavu.`,
      answer: r.responseDescription,
    };
  return {
    ok: false,
    message: explainDarajaError(r.error, m.environment),
    answer: `${r.error.errorCode} ${r.error.message}`,
  };
}

export async function sendTestSms(deps: Deps, to: string): Promise<CheckResult> {
  const phone = normalizePhone(to);
  if (!phone) throw new AppError('validation', 'to: a Kenyan phone number');
  const provider = await deps.sms.current();
  try {
    const r = await provider.send(phone, 'Test message from Wavu: SMS works.');
    return { ok: true, message: `${provider.name} accepted the message.`, answer: r.providerId };
  } catch (e) {
    return { ok: false, message: `${provider.name} did not send it: ${(e as Error).message}`, answer: null };
  }
}
