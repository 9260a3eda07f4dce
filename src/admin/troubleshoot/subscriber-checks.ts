/**
 * The troubleshooter for a PPPoE subscriber ("my home internet is off"): ordered checks on the
 * money, the account, what the router was told, the live PPP session and the data cap, each with
 * its verdict, evidence and fix, as for hotspot codes. Only reads. Subscriber rows come through
 * the subscribers feature; the purchases and jobs behind them are read here as the rest of the
 * troubleshooter reads them.
 *
 * All checks run (none of them asks a router), but the cause is the first problem in this order:
 * money that never reached the ledger explains an expired account, and an expired account explains
 * a router holding the expired pool.
 */
import { sql } from 'drizzle-orm';
import type { Deps } from '../../app/deps.ts';
import { query } from '../../db/open.ts';
import {
  SYNC_JOB,
  type SubscriberSupportFacts,
  unledgeredSubscriptionPurchases,
} from '../../subscribers/index.ts';
import type { Check } from './check.ts';
import { when } from './words.ts';

const gb = (bytes: number) => `${(bytes / 1e9).toFixed(1)} GB`;

async function ledgerCheck(deps: Deps, f: SubscriberSupportFacts): Promise<Check> {
  const s = f.subscriber;
  const lost = await unledgeredSubscriptionPurchases(deps, { subscriberId: s.id });
  const evidence = [
    ...f.payments.map(
      (p) =>
        `KES ${p.amountKes} at ${when(p.createdAt)}: ${p.periods} period${p.periods === 1 ? '' : 's'}, due moved to ${when(p.dueAfter)}; balance KES ${p.balanceAfterKes}.`,
    ),
    ...lost.map(
      (u) =>
        `Payment ${u.ref} of KES ${u.amountKes}${u.receipt ? ` (${u.receipt})` : ''}${u.paidAt ? ` at ${when(u.paidAt)}` : ''} is paid but not on the account.`,
    ),
  ];
  const base = { id: 'ledger' as const, title: 'Payments', evidence };
  if (lost.length)
    return {
      ...base,
      verdict: 'problem',
      cause: 'payment_not_credited',
      said: `${lost.length === 1 ? 'A payment was' : `${lost.length} payments were`} taken but never credited to account ${s.accountNo}.`,
      fix: 'Open Reports › Reconciliation for the day it was paid and press "Credit it to the account".',
    };
  return {
    ...base,
    verdict: f.payments.length ? 'ok' : 'info',
    said: f.payments.length
      ? `Last paid KES ${f.payments[0]!.amountKes} at ${when(f.payments[0]!.createdAt)}.`
      : 'No payment on this account yet.',
    fix: null,
  };
}

async function accountCheck(deps: Deps, f: SubscriberSupportFacts): Promise<Check> {
  const s = f.subscriber;
  const now = deps.clock.now();
  const evidence = [
    `${s.planName}, KES ${s.priceKes} a ${s.period}; state ${s.state}.`,
    `Due at ${when(s.dueAt)}; grace until ${when(s.graceEndsAt)}.`,
    ...(s.balanceKes ? [`Balance in hand KES ${s.balanceKes}.`] : []),
    ...(s.amountDueKes ? [`To pay now: KES ${s.amountDueKes}.`] : []),
  ];
  const base = { id: 'subscriber' as const, title: `Account ${s.accountNo}`, evidence };
  if (s.state === 'disconnected')
    return {
      ...base,
      verdict: 'problem',
      cause: 'subscriber_closed',
      said: 'This account was closed, so the router refuses its login.',
      fix: 'If they want service again, open a new account for them.',
    };
  if (s.state === 'suspended')
    return {
      ...base,
      verdict: 'problem',
      cause: 'subscriber_suspended',
      said: 'Staff suspended this account, so the router refuses its login.',
      fix: 'Check the audit log for why; if it is settled, resume it (Subscribers › the account › Resume).',
    };
  if (s.state === 'expired' || s.graceEndsAt <= now) {
    const account = await deps.accounts.get(null);
    const paybill =
      account.type !== 'till' && account.shortcode
        ? `, or Paybill ${account.shortcode} account ${s.accountNo}`
        : '';
    return {
      ...base,
      verdict: 'problem',
      cause: 'subscriber_expired',
      said: `Not paid: the due date and its grace have passed (${when(s.graceEndsAt)}), so the router puts them in the expired pool.`,
      fix: `They pay KES ${s.amountDueKes} at /pay?account=${s.accountNo}${paybill}. Full service comes back as soon as it is paid.`,
    };
  }
  if (s.dueAt <= now)
    return {
      ...base,
      verdict: 'warning',
      said: `The due date has passed; still online during the grace, until ${when(s.graceEndsAt)}.`,
      fix: `Remind them to pay KES ${s.amountDueKes} before ${when(s.graceEndsAt)}.`,
    };
  return { ...base, verdict: 'ok', said: `Active and paid up to ${when(s.dueAt)}.`, fix: null };
}

interface SyncJob {
  status: string;
  attempts: number;
  last_error: string | null;
  created_at: unknown;
}

async function routerSyncCheck(deps: Deps, f: SubscriberSupportFacts): Promise<Check> {
  const s = f.subscriber;
  // The latest job only: an older dead one was superseded by any later sync of the same row.
  const [job] = await query<SyncJob>(
    deps.db,
    sql`SELECT status, attempts, last_error, created_at FROM jobs
        WHERE kind = ${SYNC_JOB.kind} AND (payload->>'subscriberId')::bigint = ${s.id}
        ORDER BY created_at DESC, id DESC LIMIT 1`,
  );
  // Only the plan rate matters while they are let in at it; other states have no rate.
  const wantRate = s.state === 'active' ? f.expectedRate : null;
  const matches = f.syncedState === s.state && (wantRate === null || f.syncedRate === wantRate);
  const evidence = [
    f.syncedState
      ? `Router last told: ${f.syncedState}${f.syncedRate ? ` at ${f.syncedRate}` : ''}.`
      : 'The router has not been told about this account yet.',
    `Should be: ${s.state}${wantRate ? ` at ${wantRate}` : ''}${s.routerName ? ` on ${s.routerName}` : ''}.`,
    ...(job
      ? [
          `Last router update: ${job.status} (${job.attempts} tr${job.attempts === 1 ? 'y' : 'ies'}, queued at ${when(job.created_at)})${job.last_error ? `; last error: ${job.last_error}` : ''}.`,
        ]
      : []),
  ];
  const base = { id: 'router_sync' as const, title: 'What the router was told', evidence };
  if (job?.status === 'dead')
    return {
      ...base,
      verdict: 'problem',
      cause: 'sync_failed',
      said: 'Wavu gave up telling the router about this account, so the router may still hold the old state.',
      fix: 'Fix what the last error says (is the router up and its API login right?), then the next change to the account or its next payment tells the router again.',
    };
  if (matches) return { ...base, verdict: 'ok', said: 'The router was told what it should be.', fix: null };
  if (job && (job.status === 'queued' || job.status === 'running'))
    return {
      ...base,
      verdict: job.last_error ? 'warning' : 'info',
      said: 'Wavu is telling the router now.',
      fix: job.last_error ? 'It retries by itself; check the router answers.' : null,
    };
  return {
    ...base,
    verdict: 'warning',
    said: 'The router was last told something else than the account says.',
    fix: 'The next login of the subscriber gets the right service from RADIUS; on an api-mode router, save the account again to resend it.',
  };
}

function sessionCheck(f: SubscriberSupportFacts): Check {
  const s = f.subscriber;
  const live = f.liveSession;
  const base = { id: 'ppp_session' as const, title: 'Online now' };
  if (live)
    return {
      ...base,
      verdict: 'ok',
      said: `Online since ${when(live.startedAt)}${live.framedIp ? ` with address ${live.framedIp}` : ''}.`,
      evidence: [
        `${gb(live.bytesIn + live.bytesOut)} moved in this session${live.callerId ? `, from ${live.callerId}` : ''}.`,
      ],
      fix: null,
    };
  return {
    ...base,
    verdict: 'info',
    said: `Not online right now${s.lastSeenAt ? `; last seen at ${when(s.lastSeenAt)}` : '; never seen online'}.`,
    evidence: [],
    fix:
      s.state === 'active'
        ? `Ask them to restart their router and check it dials PPPoE with username ${s.username}.`
        : null,
  };
}

function fairUseCheck(f: SubscriberSupportFacts): Check | null {
  const s = f.subscriber;
  if (f.dataCapBytes === null) return null;
  const evidence = [`Used ${gb(s.periodBytes)} of ${gb(f.dataCapBytes)} this period.`];
  if (s.throttled)
    return {
      id: 'fair_use',
      title: 'Data cap',
      verdict: 'warning',
      said: `Past the data cap, so at the fair-use speed (${f.expectedRate}) until the next period.`,
      evidence,
      fix: 'Nothing is broken: full speed comes back with the next paid period, or move them to a bigger plan.',
    };
  return {
    id: 'fair_use',
    title: 'Data cap',
    verdict: 'ok',
    said: 'Within the data cap.',
    evidence,
    fix: null,
  };
}

export async function subscriberChecks(deps: Deps, f: SubscriberSupportFacts): Promise<Check[]> {
  const checks = [
    await ledgerCheck(deps, f),
    await accountCheck(deps, f),
    await routerSyncCheck(deps, f),
    sessionCheck(f),
  ];
  const cap = fairUseCheck(f);
  if (cap) checks.push(cap);
  return checks;
}
