/**
 * "Already paid?" with a receipt Wavu has no record of: ask Safaricom (Transaction Status). The
 * answer comes later to the result URL (handle-result.ts), which credits through the same claim
 * as every other channel. Here: one open check per receipt, a limit per device and address (on
 * top of the guessing limits the portal's recovery already applies), and every failure to even
 * ask (no initiator, a bad certificate, Daraja refusing) logged and answered in plain words,
 * never as an error page.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Deps } from '../../app/deps.ts';
import { isUniqueViolation, query } from '../../db/open.ts';
import { receivingShortcode } from '../accounts/live.ts';
import { accountForRouter } from '../accounts/resolve.ts';
import { applyEarlyResult } from './handle-result.ts';
import { statusCheckReadiness } from './readiness.ts';
import { statusCallbackUrls } from './urls.ts';

/** Checks one device or address may start per hour. */
export const STATUS_CHECKS_PER_HOUR = 5;

export type StartCheckResult =
  | { state: 'checking'; checkId: string }
  | { state: 'already_claimed' }
  /** Safaricom said it went to another shortcode, or is no plan's amount. */
  | { state: 'not_ours' }
  | { state: 'too_many' }
  | { state: 'unavailable'; reason: string };

export async function startStatusCheck(
  deps: Deps,
  /** `routerId`: the router the customer is on; its payment account's initiator asks. */
  input: { receipt: string; mac: string | null; ip: string | null; routerId?: number | null },
): Promise<StartCheckResult> {
  const receipt = input.receipt.toUpperCase().replace(/\s/g, '');
  if (!/^[A-Z0-9]{10}$/.test(receipt)) return { state: 'unavailable', reason: 'not a receipt' };
  const now = deps.clock.now();
  const claimed = await query(deps.db, sql`SELECT 1 FROM purchases WHERE mpesa_receipt = ${receipt}`);
  if (claimed.length) return { state: 'already_claimed' };
  const open = await query<{ id: string }>(
    deps.db,
    sql`SELECT id FROM status_checks WHERE receipt = ${receipt} AND state = 'pending'`,
  );
  if (open[0]) return { state: 'checking', checkId: open[0].id };
  // Safaricom already answered for this receipt: say so again instead of asking again.
  const [answered] = await query<{ state: string }>(
    deps.db,
    sql`SELECT state FROM status_checks WHERE receipt = ${receipt}
          AND state IN ('already_claimed', 'not_ours', 'wrong_amount') ORDER BY created_at DESC LIMIT 1`,
  );
  if (answered) return { state: answered.state === 'already_claimed' ? 'already_claimed' : 'not_ours' };

  const hourAgo = new Date(now.getTime() - 3600_000);
  const [recent] = await query<{ by_mac: number; by_ip: number }>(
    deps.db,
    sql`SELECT count(*) FILTER (WHERE mac = ${input.mac})::int AS by_mac,
               count(*) FILTER (WHERE ip = ${input.ip})::int AS by_ip
        FROM status_checks WHERE created_at >= ${hourAgo}`,
  );
  if (
    (input.mac && Number(recent!.by_mac) >= STATUS_CHECKS_PER_HOUR) ||
    (input.ip && Number(recent!.by_ip) >= STATUS_CHECKS_PER_HOUR)
  )
    return { state: 'too_many' };

  const m = await deps.accounts.get(await accountForRouter(deps.db, input.routerId));
  const cred = statusCheckReadiness(deps, m);
  if (!cred.ok) {
    deps.log.error(
      { problem: cred.problem, account: m.name },
      'Transaction Status cannot ask Safaricom (Settings → M-Pesa, or the payment account: initiator and environment)',
    );
    return { state: 'unavailable', reason: cred.problem };
  }

  const id = randomUUID();
  try {
    await query(
      deps.db,
      sql`INSERT INTO status_checks (id, receipt, mac, ip, created_at, payment_account_id)
          VALUES (${id}, ${receipt}, ${input.mac}, ${input.ip}, ${now}, ${m.accountId})`,
    );
  } catch (e) {
    if (!isUniqueViolation(e, 'status_checks_one_open_per_receipt')) throw e;
    return { state: 'checking', checkId: (await openCheck(deps, receipt))! };
  }
  const urls = statusCallbackUrls(deps.config);
  const ack = await deps.darajaFor(m.accountId).transactionStatus({
    initiator: m.initiatorName,
    securityCredential: cred.credential,
    transactionId: receipt,
    partyA: receivingShortcode(m),
    resultUrl: urls.result,
    queueTimeOutUrl: urls.timeout,
  });
  if (!ack.ok) {
    deps.log.error({ error: ack.error, check: id }, 'Transaction Status request refused');
    await query(
      deps.db,
      sql`UPDATE status_checks SET state = 'failed', result_code = ${ack.error.errorCode},
             result_desc = ${ack.error.message.slice(0, 300)}, finished_at = ${deps.clock.now()}
          WHERE id = ${id} AND state = 'pending'`,
    );
    return { state: 'unavailable', reason: ack.error.message };
  }
  // The result may already have been handled (it found the row by receipt): ids only fill in.
  await query(
    deps.db,
    sql`UPDATE status_checks SET conversation_id = ${ack.conversationId},
           originator_conversation_id = ${ack.originatorConversationId}
        WHERE id = ${id} AND conversation_id IS NULL`,
  );
  await applyEarlyResult(deps, ack.conversationId);
  return { state: 'checking', checkId: id };
}

async function openCheck(deps: Deps, receipt: string): Promise<string | null> {
  const r = await query<{ id: string }>(
    deps.db,
    sql`SELECT id FROM status_checks WHERE receipt = ${receipt} ORDER BY created_at DESC LIMIT 1`,
  );
  return r[0]?.id ?? null;
}
