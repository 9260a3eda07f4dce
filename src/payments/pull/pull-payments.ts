/**
 * Pull Transactions: for an account registered for it, the C2B payments of the last hours are
 * fetched every few minutes and each one Wavu has no receipt for is credited like a C2B
 * confirmation (creditC2bPayment: matched by account reference, deduplicated with STK and C2B by
 * receipt). This is what catches a Paybill payment whose confirmation was lost.
 */
import type { Deps } from '../../app/deps.ts';
import { type Actor, audit } from '../../audit/index.ts';
import { sql } from 'drizzle-orm';
import { query } from '../../db/open.ts';
import { getSetting, putSetting } from '../../settings/index.ts';
import { type C2bOutcome, creditC2bPayment } from '../c2b.ts';
import { callbackUrls } from '../daraja.ts';

export const PULL_EVERY_MS = 5 * 60_000;
/** How far back each run looks; overlapping runs are harmless (receipts are deduplicated). */
export const PULL_WINDOW_MS = 3 * 3_600_000;
const PAGE = 100;

interface PullRegistration {
  shortcode: string;
  registeredAt: string;
}

/** Register the account's shortcode for Pull Transactions (once; production shortcodes). */
export async function registerPull(
  deps: Deps,
  input: { nominatedNumber: string },
  actor: Actor,
  ip: string | null,
): Promise<{ ok: true; message: string } | { ok: false; message: string }> {
  const m = await deps.settings.mpesa();
  const r = await deps.daraja.pullRegister({
    nominatedNumber: input.nominatedNumber,
    callbackUrl: callbackUrls(deps.config).c2bConfirm,
  });
  if (!r.ok) return { ok: false, message: `Daraja refused the registration: ${r.error.message}` };
  const shortcode = m.type === 'till' && m.till ? m.till : m.shortcode;
  await deps.db.transaction(async (tx) => {
    await putSetting(tx, deps.clock.now(), 'pull', {
      shortcode,
      registeredAt: deps.clock.now().toISOString(),
    });
    await audit(tx, deps, {
      actor,
      action: 'settings.pull_register',
      entity: 'settings',
      entityId: 'pull',
      detail: { shortcode },
      ip,
    });
  });
  return { ok: true, message: `Registered ${shortcode} for Pull Transactions: ${r.description}` };
}

export async function pullRecentPayments(
  deps: Deps,
): Promise<
  { skipped: true } | { skipped: false; seen: number; outcomes: Partial<Record<C2bOutcome, number>> }
> {
  const reg = await getSetting<PullRegistration>(deps.db, 'pull');
  if (!reg) return { skipped: true };
  const m = await deps.settings.mpesa();
  // Registered for another account than the one in force now: nothing of ours to ask about.
  if (reg.shortcode !== (m.type === 'till' && m.till ? m.till : m.shortcode)) return { skipped: true };
  const now = deps.clock.now();
  // Daraja's dates have whole seconds: end a minute ahead so this second's payments are in.
  const to = new Date(now.getTime() + 60_000);
  const from = new Date(now.getTime() - PULL_WINDOW_MS);
  const outcomes: Partial<Record<C2bOutcome, number>> = {};
  let seen = 0;
  for (let offset = 0; ; offset += PAGE) {
    const r = await deps.daraja.pullQuery({ from, to, offset });
    if (!r.ok) {
      deps.log.warn({ error: r.error }, 'Pull Transactions query failed');
      break;
    }
    for (const t of r.transactions) {
      seen++;
      if (t.amountKes === null) continue;
      const known = await query(
        deps.db,
        sql`SELECT 1 FROM purchases WHERE mpesa_receipt = ${t.transactionId}`,
      );
      const outcome: C2bOutcome = known.length
        ? 'duplicate'
        : await creditC2bPayment(deps, {
            transactionType: 'Pay Bill',
            transId: t.transactionId,
            transTime: t.at === null ? null : new Date(t.at),
            amountKes: t.amountKes,
            rawAmount: String(t.amountKes),
            shortCode: reg.shortcode,
            billRefNumber: t.billReference,
            invoiceNumber: '',
            orgAccountBalance: '',
            thirdPartyTransId: '',
            msisdn: t.msisdn,
            firstName: '',
          });
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
      if (outcome === 'credited')
        deps.log.info({ receipt: t.transactionId }, 'payment recovered by Pull Transactions');
    }
    if (r.transactions.length < PAGE) break;
  }
  return { skipped: false, seen, outcomes };
}
