/**
 * Pull Transactions: for each payment account registered for it, the C2B payments of the last hours are
 * fetched every few minutes and each one Wavu has no receipt for is credited like a C2B
 * confirmation (creditC2bPayment: matched by account reference, deduplicated with STK and C2B by
 * receipt). This is what catches a Paybill payment whose confirmation was lost.
 */
import type { Deps } from '../../app/deps.ts';
import { type Actor, audit } from '../../audit/index.ts';
import { sql } from 'drizzle-orm';
import { query } from '../../db/open.ts';
import { bumpSettingsVersion } from '../../settings/index.ts';
import { type AccountSettings, accountOrDefault, receivingShortcode } from '../accounts/live.ts';
import { type C2bOutcome, creditC2bPayment } from '../c2b.ts';
import { callbackUrls } from '../daraja.ts';

export const PULL_EVERY_MS = 5 * 60_000;
/** How far back each run looks; overlapping runs are harmless (receipts are deduplicated). */
export const PULL_WINDOW_MS = 3 * 3_600_000;
const PAGE = 100;

/** Register an account's shortcode for Pull Transactions (once; production shortcodes). */
export async function registerPull(
  deps: Deps,
  input: { nominatedNumber: string; accountId?: number | null },
  actor: Actor,
  ip: string | null,
): Promise<{ ok: true; message: string } | { ok: false; message: string }> {
  const m = await accountOrDefault(deps.accounts, input.accountId ?? null);
  const r = await deps.darajaFor(m.accountId).pullRegister({
    nominatedNumber: input.nominatedNumber,
    callbackUrl: callbackUrls(deps.config).c2bConfirm,
  });
  if (!r.ok) return { ok: false, message: `Daraja refused the registration: ${r.error.message}` };
  const shortcode = receivingShortcode(m);
  await deps.db.transaction(async (tx) => {
    await query(
      tx,
      sql`UPDATE payment_accounts SET pull_shortcode = ${shortcode}, updated_at = ${deps.clock.now()}
          WHERE id = ${m.accountId}`,
    );
    await bumpSettingsVersion(tx);
    await audit(tx, deps, {
      actor,
      action: 'settings.pull_register',
      entity: 'payment_account',
      entityId: String(m.accountId),
      detail: { shortcode },
      ip,
    });
  });
  return { ok: true, message: `Registered ${shortcode} for Pull Transactions: ${r.description}` };
}

type PullReport =
  | { skipped: true }
  | { skipped: false; seen: number; outcomes: Partial<Record<C2bOutcome, number>> };

/** Every registered account in turn; the reports summed. */
export async function pullRecentPayments(deps: Deps): Promise<PullReport> {
  let total: PullReport = { skipped: true };
  for (const a of await deps.accounts.all()) {
    const r = await pullAccount(deps, a);
    if (r.skipped) continue;
    const outcomes: Partial<Record<C2bOutcome, number>> = total.skipped ? {} : total.outcomes;
    for (const [k, n] of Object.entries(r.outcomes) as [C2bOutcome, number][])
      outcomes[k] = (outcomes[k] ?? 0) + n;
    total = { skipped: false, seen: (total.skipped ? 0 : total.seen) + r.seen, outcomes };
  }
  return total;
}

async function pullAccount(deps: Deps, m: AccountSettings): Promise<PullReport> {
  // Registered for another number than the account's now (its shortcode changed): skip it.
  if (!m.pullShortcode || m.pullShortcode !== receivingShortcode(m)) return { skipped: true };
  const reg = { shortcode: m.pullShortcode };
  const now = deps.clock.now();
  // Daraja's dates have whole seconds: end a minute ahead so this second's payments are in.
  const to = new Date(now.getTime() + 60_000);
  const from = new Date(now.getTime() - PULL_WINDOW_MS);
  const outcomes: Partial<Record<C2bOutcome, number>> = {};
  let seen = 0;
  for (let offset = 0; ; offset += PAGE) {
    const r = await deps.darajaFor(m.accountId).pullQuery({ from, to, offset });
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
