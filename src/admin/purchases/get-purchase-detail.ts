/**
 * One purchase as support needs it: the row, its plan and access code, and a timeline built from
 * what the database recorded — every raw M-Pesa callback as received (callback_inbox), state
 * changes, SMS, router jobs, sessions and staff actions — in time order.
 */
import { sql } from 'drizzle-orm';
import type { Deps } from '../../app/deps.ts';
import { auditTrail } from '../../audit/index.ts';
import { asDate, query } from '../../db/open.ts';
import { AppError } from '../../lib/errors.ts';
import { grantFailing, jobEvent } from './job-events.ts';
import { mapPurchase, type PurchaseRow } from './list-purchases.ts';

export interface TimelineEvent {
  at: string;
  kind:
    | 'created'
    | 'callback'
    | 'paid'
    | 'failed'
    | 'cancelled'
    | 'expired'
    | 'sms'
    | 'job'
    | 'session'
    | 'staff';
  title: string;
  detail?: unknown;
}

export interface PurchaseDetail {
  purchase: PurchaseRow & {
    checkoutRequestId: string | null;
    merchantRequestId: string | null;
    paidAmountKes: number | null;
    mac: string | null;
    ip: string | null;
    recipientPhone: string | null;
    checkAttempts: number;
    createdBy: string | null;
  };
  accessCode: {
    id: string;
    status: string;
    kind: string;
    activatedAt: string | null;
    expiresAt: string | null;
    usedSeconds: number;
    usedBytes: number;
    devices: { mac: string; boundAt: string }[];
  } | null;
  timeline: TimelineEvent[];
  /** The router has not taken the code (its last grant failed or keeps failing). */
  grantFailed: boolean;
}

const iso = (v: unknown) => (v ? asDate(v).toISOString() : null);

export async function getPurchaseDetail(deps: Deps, id: string): Promise<PurchaseDetail> {
  const db = deps.db;
  const rows = await query<Record<string, any>>(
    db,
    sql`SELECT p.*, pl.name AS plan_name, r.name AS router_name, u.username AS created_by_name
        FROM purchases p JOIN plans pl ON pl.id = p.plan_id
        LEFT JOIN routers r ON r.id = p.router_id
        LEFT JOIN admin_users u ON u.id = p.created_by
        WHERE p.id = ${id}`,
  );
  const p = rows[0];
  if (!p) throw new AppError('not_found', 'No such purchase.');
  const timeline: TimelineEvent[] = [];
  let grantFailed = false;
  const push = (at: unknown, kind: TimelineEvent['kind'], title: string, detail?: unknown) => {
    if (at)
      timeline.push({
        at: asDate(at).toISOString(),
        kind,
        title,
        ...(detail === undefined ? {} : { detail }),
      });
  };
  push(p.created_at, 'created', `${p.channel === 'cash' ? 'Cash sale' : 'Payment'} started (${p.channel})`);
  for (const s of ['paid', 'failed', 'cancelled', 'expired'] as const)
    push(
      p[`${s}_at`],
      s,
      s === 'paid' ? 'Marked paid' : `Marked ${s}`,
      s === 'paid' ? undefined : { resultCode: p.result_code, resultDesc: p.result_desc },
    );

  const callbacks = await query<Record<string, any>>(
    db,
    sql`SELECT id, kind, received_at, remote_addr, body::text AS body, body_text, outcome, processed_at FROM callback_inbox
        WHERE purchase_id = ${id}
           OR (${p.checkout_request_id}::text IS NOT NULL AND checkout_request_id = ${p.checkout_request_id})
           OR (${p.mpesa_receipt}::text IS NOT NULL AND receipt = ${p.mpesa_receipt})
        ORDER BY received_at, id LIMIT 100`,
  );
  for (const c of callbacks)
    push(c.received_at, 'callback', `Callback ${c.kind}${c.outcome ? ` → ${c.outcome}` : ''}`, {
      id: Number(c.id),
      from: c.remote_addr,
      processedAt: iso(c.processed_at),
      // jsonb as text, parsed here (a bare JSON string body stays a string); else the raw text kept.
      body: c.body === null ? c.body_text : JSON.parse(c.body),
    });

  const sms = await query<Record<string, any>>(
    db,
    sql`SELECT id, to_phone, body, template, status, created_at, sent_at, failed_at, last_error FROM sms_messages
        WHERE purchase_id = ${id} ORDER BY created_at LIMIT 50`,
  );
  for (const m of sms)
    push(m.sent_at ?? m.failed_at ?? m.created_at, 'sms', `SMS ${m.status} to ${m.to_phone}`, {
      template: m.template,
      // Stored with the access code masked; the code itself is on the purchase, for staff allowed it.
      text: m.body,
      error: m.last_error,
    });

  let accessCode: PurchaseDetail['accessCode'] = null;
  if (p.access_code_id) {
    const c = (
      await query<Record<string, any>>(
        db,
        sql`SELECT id, status, kind, activated_at, expires_at, used_seconds, used_bytes FROM access_codes WHERE id = ${p.access_code_id}`,
      )
    )[0];
    const devices = await query<{ mac: string; bound_at: string }>(
      db,
      sql`SELECT mac, bound_at FROM access_devices WHERE access_code_id = ${p.access_code_id} ORDER BY bound_at`,
    );
    if (c)
      accessCode = {
        id: c.id,
        status: c.status,
        kind: c.kind,
        activatedAt: iso(c.activated_at),
        expiresAt: iso(c.expires_at),
        usedSeconds: Number(c.used_seconds),
        usedBytes: Number(c.used_bytes),
        devices: devices.map((d) => ({ mac: d.mac, boundAt: asDate(d.bound_at).toISOString() })),
      };
    const sessions = await query<Record<string, any>>(
      db,
      sql`SELECT s.started_at, s.stopped_at, s.mac, s.ip, r.name AS router FROM sessions s
          LEFT JOIN routers r ON r.id = s.router_id
          WHERE s.access_code_id = ${p.access_code_id} ORDER BY s.started_at LIMIT 50`,
    );
    for (const s of sessions) {
      push(s.started_at, 'session', `Online on ${s.router ?? 'a router'} (${s.mac ?? 'unknown device'})`, {
        ip: s.ip,
      });
      push(s.stopped_at, 'session', `Offline (${s.mac ?? 'unknown device'})`);
    }
    // Jobs are pruned after a while; recent ones show whether the router grant went through.
    const jobs = await query<Record<string, any>>(
      db,
      sql`SELECT kind, status, attempts, last_error, created_at, finished_at FROM jobs
          WHERE kind LIKE 'gateway.%' AND payload->>'accessCodeId' = ${p.access_code_id}
          ORDER BY created_at LIMIT 50`,
    );
    for (const j of jobs)
      push(j.finished_at ?? j.created_at, 'job', jobEvent(j as never), {
        attempts: j.attempts,
        error: j.last_error,
      });
    grantFailed = grantFailing(jobs as never);
  }
  for (const a of await auditTrail(db, 'purchase', id))
    push(a.at, 'staff', `${a.actor}: ${a.action}`, a.detail ?? undefined);

  timeline.sort((a, b) => a.at.localeCompare(b.at));
  return {
    purchase: {
      ...mapPurchase(p as never),
      checkoutRequestId: p.checkout_request_id,
      merchantRequestId: p.merchant_request_id,
      paidAmountKes: p.paid_amount_kes == null ? null : Number(p.paid_amount_kes),
      mac: p.mac,
      ip: p.ip,
      recipientPhone: p.recipient_phone,
      checkAttempts: Number(p.check_attempts),
      createdBy: p.created_by_name ?? null,
    },
    accessCode,
    timeline,
    grantFailed,
  };
}
