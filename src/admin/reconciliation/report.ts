/**
 * The reconciliation report for one East Africa day: money taken (STK, C2B, cash), the codes it
 * issued, their grants, the users on each router and the live sessions, with every place where
 * they disagree listed as a discrepancy: what is wrong, why in plain words, and the one click that
 * fixes it (fix.ts). Money rows are those of that day; router users and live sessions are what is
 * true now, so they are read only for today's report (yesterday's routers cannot be asked).
 */
import { sql } from 'drizzle-orm';
import type { Deps } from '../../app/deps.ts';
import { asDate, query } from '../../db/open.ts';
import { listRouterUsers } from '../../gateways/index.ts';
import { DAY_MS, eatDate, eatDayStart } from '../../lib/eat-time.ts';
import { AppError } from '../../lib/errors.ts';
import { parseC2bNotification, parseStkCallback } from '../../protocols/daraja/callbacks.ts';
import { overdueActiveSubscribers, unledgeredSubscriptionPurchases } from '../../subscribers/index.ts';

export const DISCREPANCY_KINDS = [
  'paid_no_code',
  'code_no_grant',
  'router_user_foreign',
  'router_user_expired',
  'session_no_code',
  'c2b_no_purchase',
  'amount_mismatch',
  'subscription_not_credited',
  'subscriber_not_expired',
] as const;
export type DiscrepancyKind = (typeof DISCREPANCY_KINDS)[number];

/** The body to POST to /api/admin/reports/reconciliation/fix: exactly what the button sends. */
export type Fix =
  | { action: 'credit-payment'; inboxId: number }
  | { action: 'retry-grant'; purchaseId: string }
  | { action: 'remove-router-user'; routerId: number; username: string }
  | { action: 'disconnect-session'; sessionId: string }
  | { action: 'credit-subscription'; purchaseId: string }
  | { action: 'enforce-due-dates' }
  | { action: 'flag'; kind: DiscrepancyKind; ref: string };

export interface Discrepancy {
  kind: DiscrepancyKind;
  /** Stable id of what is wrong (purchase, inbox row, router user, session) within its kind. */
  ref: string;
  at: Date | null;
  amountKes: number | null;
  /** What is wrong and why, for the person at the counter. */
  cause: string;
  fix: Fix & { label: string };
  /** Marked handled by staff (only `flag` fixes leave the row in place). */
  flagged: { by: string; at: Date } | null;
}

export interface RouterCheck {
  router: string;
  state: 'listed' | 'unreachable' | 'cannot_list';
  users: number | null;
  error: string | null;
}

export interface ReconciliationReport {
  date: string;
  from: Date;
  to: Date;
  money: { channel: 'stk' | 'c2b' | 'cash'; payments: number; kes: number }[];
  codesIssued: number;
  grantsGranted: number;
  liveSessions: number | null;
  /** Router users and sessions were read (today's report only). */
  live: boolean;
  routers: RouterCheck[];
  discrepancies: Discrepancy[];
  /** Discrepancies not yet handled. */
  open: number;
}

/** A grant still pending after this long is stuck, not merely in flight. */
export const GRANT_STUCK_MS = 5 * 60_000;

/** Why a success callback credited nothing, by its inbox outcome (stk-callback.ts). */
const PAID_NOT_CREDITED: Record<string, string> = {
  phone_mismatch: 'the payment came from another phone than the one that asked',
  no_receipt: 'the result carried no receipt',
  unknown_checkout: 'no purchase matched it',
  malformed: 'the result could not be read',
};

export function parseReportDate(date: string | undefined, now: Date): { day: string; from: Date } {
  const day = date ?? eatDate(now);
  const from = eatDayStart(day);
  if (!from) throw new AppError('validation', 'date: a day as YYYY-MM-DD');
  return { day, from };
}

const kes = (n: unknown) => (n === null || n === undefined ? null : Number(n));

export async function reconciliationReport(deps: Deps, date?: string): Promise<ReconciliationReport> {
  const now = deps.clock.now();
  const { day, from } = parseReportDate(date, now);
  const to = new Date(from.getTime() + DAY_MS);
  const live = day === eatDate(now);
  const db = deps.db;
  const found: Omit<Discrepancy, 'flagged'>[] = [];

  const money = await query<{ channel: 'stk' | 'c2b' | 'cash'; n: number; kes: number }>(
    db,
    sql`SELECT channel, count(*)::int AS n, COALESCE(sum(COALESCE(paid_amount_kes, amount_kes)), 0)::int AS kes
        FROM purchases WHERE status = 'paid' AND paid_at >= ${from} AND paid_at < ${to}
        GROUP BY channel ORDER BY channel`,
  );
  const [counts] = await query<{ codes: number; grants: number }>(
    db,
    sql`SELECT (SELECT count(*)::int FROM access_codes WHERE issued_at >= ${from} AND issued_at < ${to}) AS codes,
               (SELECT count(*)::int FROM access_grants WHERE granted_at >= ${from} AND granted_at < ${to}) AS grants`,
  );

  // M-Pesa said paid (result 0, a receipt) but no purchase was credited for it. Those with the
  // wrong amount are listed as amount mismatches below.
  for (const cb of await query<{
    id: number;
    body: unknown;
    outcome: string | null;
    received_at: unknown;
    pid: string | null;
    pref: string | null;
    pstatus: string | null;
    ppurpose: string | null;
  }>(
    db,
    sql`SELECT i.id, i.body, i.outcome, i.received_at, p.id AS pid, p.ref AS pref, p.status AS pstatus,
               p.purpose AS ppurpose
        FROM callback_inbox i LEFT JOIN purchases p ON p.checkout_request_id = i.checkout_request_id
        WHERE i.kind = 'stk' AND i.received_at >= ${from} AND i.received_at < ${to}
          AND i.outcome IS DISTINCT FROM 'amount_mismatch' AND i.outcome IS DISTINCT FROM 'bad_secret'
          AND (p.id IS NULL OR p.status <> 'paid')
        ORDER BY i.received_at`,
  )) {
    const paid = parseStkCallback(cb.body);
    if (paid?.resultCode !== '0' || !paid.receipt) continue;
    const ref = `inbox:${cb.id}`;
    const why = PAID_NOT_CREDITED[cb.outcome ?? ''] ?? `it was left ${cb.outcome ?? 'unprocessed'}`;
    found.push({
      kind: 'paid_no_code',
      ref,
      at: asDate(cb.received_at),
      amountKes: paid.amountKes,
      cause: cb.pid
        ? `M-Pesa says purchase ${cb.pref} was paid (${paid.receipt}, KES ${paid.amountKes}) but it is ${cb.pstatus} and ${cb.ppurpose === 'subscription' ? "nothing was credited to the subscriber's account" : 'no code was issued'}: ${why}.`
        : `M-Pesa reported a payment (${paid.receipt}, KES ${paid.amountKes}) for a payment prompt Wavu has no record of.`,
      fix: cb.pid
        ? {
            action: 'credit-payment',
            inboxId: cb.id,
            label:
              cb.ppurpose === 'subscription'
                ? "Credit it to the subscriber's account"
                : 'Credit it and send the code',
          }
        : { action: 'flag', kind: 'paid_no_code', ref, label: 'Mark as handled' },
    });
  }

  const stuckBefore = new Date(now.getTime() - GRANT_STUCK_MS);
  for (const g of await query<{
    id: string;
    ref: string;
    paid_at: unknown;
    router: string;
    grant_status: string | null;
    last_error: string | null;
  }>(
    db,
    sql`SELECT p.id, p.ref, p.paid_at, r.name AS router, g.status AS grant_status, g.last_error
        FROM purchases p
        JOIN access_codes c ON c.id = p.access_code_id
        JOIN routers r ON r.id = p.router_id AND r.mode = 'api' AND r.enabled
        LEFT JOIN access_grants g ON g.access_code_id = c.id AND g.router_id = r.id
        WHERE p.status = 'paid' AND p.paid_at >= ${from} AND p.paid_at < ${to}
          AND c.status IN ('issued', 'active')
          AND (g.status IS NULL OR (g.status = 'pending' AND g.requested_at < ${stuckBefore}))
        ORDER BY p.paid_at`,
  ))
    found.push({
      kind: 'code_no_grant',
      ref: g.id,
      at: asDate(g.paid_at),
      amountKes: null,
      cause:
        g.grant_status === null
          ? `Purchase ${g.ref} has its code, but it was never sent to router ${g.router}: the customer cannot log in there.`
          : `Purchase ${g.ref} has its code, but router ${g.router} has not taken it yet${g.last_error ? ` (${g.last_error})` : ''}.`,
      fix: { action: 'retry-grant', purchaseId: g.id, label: 'Send it to the router again' },
    });

  for (const m of await query<{
    id: string;
    ref: string;
    paid_at: unknown;
    amount_kes: number;
    paid: number;
  }>(
    db,
    sql`SELECT id, ref, paid_at, amount_kes, paid_amount_kes AS paid FROM purchases
        WHERE status = 'paid' AND paid_amount_kes IS NOT NULL AND paid_amount_kes <> amount_kes
          -- A subscriber may pay part of what is due, or more: the ledger keeps it as balance.
          AND purpose IS DISTINCT FROM 'subscription'
          AND paid_at >= ${from} AND paid_at < ${to}`,
  ))
    found.push({
      kind: 'amount_mismatch',
      ref: `purchase:${m.id}`,
      at: asDate(m.paid_at),
      amountKes: kes(m.paid),
      cause: `Purchase ${m.ref} was credited with KES ${m.paid} for a package of KES ${m.amount_kes}.`,
      fix: { action: 'flag', kind: 'amount_mismatch', ref: `purchase:${m.id}`, label: 'Mark as handled' },
    });

  for (const cb of await query<{
    id: number;
    kind: string;
    outcome: string;
    body: unknown;
    received_at: unknown;
    receipt: string | null;
    amount_kes: number | null;
    pref: string | null;
  }>(
    db,
    sql`SELECT i.id, i.kind, i.outcome, i.body, i.received_at, i.receipt, p.amount_kes, p.ref AS pref
        FROM callback_inbox i LEFT JOIN purchases p ON p.id = i.purchase_id
        WHERE i.received_at >= ${from} AND i.received_at < ${to}
          AND ((i.kind = 'c2b_confirm' AND i.outcome = 'unmatched') OR i.outcome = 'amount_mismatch')
        ORDER BY i.received_at`,
  )) {
    const paid =
      cb.kind === 'stk'
        ? (parseStkCallback(cb.body)?.amountKes ?? null)
        : (parseC2bNotification(cb.body)?.amountKes ?? null);
    const receipt = cb.receipt ?? parseC2bNotification(cb.body)?.transId ?? 'without a receipt';
    const ref = `inbox:${cb.id}`;
    if (cb.outcome === 'unmatched')
      found.push({
        kind: 'c2b_no_purchase',
        ref,
        at: asDate(cb.received_at),
        amountKes: paid,
        cause: `A Paybill/Till payment of KES ${paid ?? '?'} (${receipt}) matched no purchase and no package price: the money came in, no code went out.`,
        fix: { action: 'flag', kind: 'c2b_no_purchase', ref, label: 'Mark as handled' },
      });
    else
      found.push({
        kind: 'amount_mismatch',
        ref,
        at: asDate(cb.received_at),
        amountKes: paid,
        cause: `M-Pesa reported KES ${paid ?? '?'} (${receipt}) for purchase ${cb.pref ?? '?'} of KES ${cb.amount_kes ?? '?'}; nothing was credited.`,
        fix: { action: 'flag', kind: 'amount_mismatch', ref, label: 'Mark as handled' },
      });
  }

  // Subscription money (no access code behind it) must reach the subscriber's ledger.
  for (const u of await unledgeredSubscriptionPurchases(deps, { from, to }))
    found.push({
      kind: 'subscription_not_credited',
      ref: u.purchaseId,
      at: u.paidAt,
      amountKes: u.amountKes,
      cause: `Subscription payment ${u.ref} (KES ${u.amountKes}${u.receipt ? `, ${u.receipt}` : ''}) is paid, but account ${u.accountNo} was never credited: the due date did not move.`,
      fix: { action: 'credit-subscription', purchaseId: u.purchaseId, label: 'Credit it to the account' },
    });

  const routers: RouterCheck[] = [];
  let liveSessions: number | null = null;
  if (live) {
    const listed = await listRouterUsers(deps);
    const ids = listed.flatMap((r) =>
      r.state === 'listed' ? r.users.flatMap((u) => u.accessCodeId ?? []) : [],
    );
    const codes = new Map<string, string>();
    if (ids.length) {
      const rows = await query<{ id: string; status: string }>(
        db,
        sql`SELECT id::text AS id, status FROM access_codes WHERE id::text IN (${sql.join(
          ids.map((i) => sql`${i}`),
          sql`, `,
        )})`,
      );
      for (const r of rows) codes.set(r.id, r.status);
    }
    for (const r of listed) {
      routers.push({
        router: r.router,
        state: r.state,
        users: r.state === 'listed' ? r.users.length : null,
        error: r.state === 'unreachable' ? r.error : null,
      });
      if (r.state !== 'listed') continue;
      for (const u of r.users) {
        const status = u.accessCodeId ? codes.get(u.accessCodeId) : undefined;
        const fix = {
          action: 'remove-router-user' as const,
          routerId: r.routerId,
          username: u.name,
          label: 'Remove it from the router',
        };
        const ref = `${r.routerId}:${u.name}`;
        if (status === 'issued' || status === 'active') continue;
        if (status === undefined)
          found.push({
            kind: 'router_user_foreign',
            ref,
            at: null,
            amountKes: null,
            cause: u.accessCodeId
              ? `Router ${r.router} has user ${u.name} tagged as Wavu's, but Wavu never issued that code: free internet nobody paid for.`
              : `Router ${r.router} has user ${u.name}, made on the router by hand, not sold through Wavu.`,
            fix,
          });
        else
          found.push({
            kind: 'router_user_expired',
            ref,
            at: null,
            amountKes: null,
            cause: `Router ${r.router} still has user ${u.name}, whose code is ${status}: it should have been taken off.`,
            fix,
          });
      }
    }
    const sessions = await query<{
      id: string;
      username: string | null;
      mac: string | null;
      router: string | null;
      started_at: unknown;
    }>(
      db,
      sql`SELECT s.id, s.username, s.mac, r.name AS router, s.started_at FROM sessions s
          LEFT JOIN routers r ON r.id = s.router_id
          WHERE s.status = 'active' AND s.access_code_id IS NULL ORDER BY s.started_at`,
    );
    const [n] = await query<{ n: number }>(
      db,
      sql`SELECT count(*)::int AS n FROM sessions WHERE status = 'active'`,
    );
    liveSessions = Number(n?.n ?? 0);
    for (const s of sessions)
      found.push({
        kind: 'session_no_code',
        ref: s.id,
        at: asDate(s.started_at),
        amountKes: null,
        cause: `Device ${s.mac ?? '?'} is online on router ${s.router ?? '?'} as ${s.username ?? '?'} with no Wavu code behind it.`,
        fix: { action: 'disconnect-session', sessionId: s.id, label: 'Disconnect it' },
      });
    // A state is true now, not of a past day, so only today's report looks.
    for (const o of await overdueActiveSubscribers(deps))
      found.push({
        kind: 'subscriber_not_expired',
        ref: `subscriber:${o.subscriberId}`,
        at: o.graceEndsAt,
        amountKes: null,
        cause: `Subscriber ${o.accountNo} is still online at full speed though the grace after the due date ended at ${o.graceEndsAt.toISOString().slice(0, 16).replace('T', ' ')} UTC: internet nobody paid for.`,
        fix: { action: 'enforce-due-dates', label: 'Move overdue subscribers to the expired pool' },
      });
  }

  const flags = await query<{ kind: string; ref: string; flagged_by: string; flagged_at: unknown }>(
    db,
    sql`SELECT kind, ref, flagged_by, flagged_at FROM reconciliation_flags`,
  );
  const flagOf = new Map(
    flags.map((f) => [`${f.kind}|${f.ref}`, { by: f.flagged_by, at: asDate(f.flagged_at)! }]),
  );
  const discrepancies = found.map((d) => ({ ...d, flagged: flagOf.get(`${d.kind}|${d.ref}`) ?? null }));
  return {
    date: day,
    from,
    to,
    money: money.map((m) => ({ channel: m.channel, payments: Number(m.n), kes: Number(m.kes) })),
    codesIssued: Number(counts?.codes ?? 0),
    grantsGranted: Number(counts?.grants ?? 0),
    liveSessions,
    live,
    routers,
    discrepancies,
    open: discrepancies.filter((d) => !d.flagged).length,
  };
}

/** The report as CSV: one row per discrepancy (the CSV helper guards against formula cells). */
export const CSV_HEADER = ['date', 'kind', 'ref', 'at', 'amount_kes', 'cause', 'fix', 'handled_by'];
export function csvRows(r: ReconciliationReport): unknown[][] {
  return r.discrepancies.map((d) => [
    r.date,
    d.kind,
    d.ref,
    d.at,
    d.amountKes,
    d.cause,
    d.fix.label,
    d.flagged?.by ?? '',
  ]);
}

/** The SMS to the owner: short, and only when something needs a look. */
export function smsSummary(r: ReconciliationReport, business: string): string | null {
  const open = r.discrepancies.filter((d) => !d.flagged);
  if (!open.length) return null;
  const by = new Map<string, number>();
  for (const d of open) by.set(d.kind, (by.get(d.kind) ?? 0) + 1);
  const parts = [...by].map(([k, n]) => `${n} ${k.replace(/_/g, ' ')}`);
  return `${business} reconciliation ${r.date}: ${open.length} to check (${parts.join(', ')}). Open Reports > Reconciliation in the dashboard.`;
}
