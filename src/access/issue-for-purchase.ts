/**
 * Turn a paid purchase into access. Called inside the transaction that marks the purchase paid, so
 * "paid" and "has access" commit together (DESIGN.md invariant 2). Buying the same plan again
 * while a code is still live extends that code instead of handing out a second one.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Deps } from '../app/deps.ts';
import { type Conn, query } from '../db/open.ts';
import { AppError } from '../lib/errors.ts';
import { generateAccessCode, hashCode } from './codes.ts';
import { grantRequestSql } from '../gateways/index.ts';
import { enqueueSpecSql } from '../jobs/enqueue.ts';
import { expiryJob } from './expire.ts';
import { type LiveCode, lengthenCode } from './lengthen.ts';
import { bindDevice, enqueueGrantIfApi, grantJob, type RouterMode, routerMode } from './grant.ts';
import { sellVoucher } from './sell-voucher.ts';
import { sendVoucherSms } from './send-voucher-sms.ts';

export interface IssueInput {
  purchaseId: string;
  planId: number;
  phone: string | null;
  mac: string | null;
  routerId: number | null;
  purpose: 'access' | 'voucher';
  /** The plan's row, when the caller has read it already (the credit claim does): saves a lookup. */
  plan?: PlanRow;
  /** The router's mode (null: no such router), when the caller has read it already: saves a lookup. */
  router?: RouterMode | null;
}

export interface IssueResult {
  accessCodeId: string;
  code: string;
  /** A stock voucher's own password (imported user/password), for the buyer with the code. */
  password: string | null;
  extended: boolean;
}

export interface PlanRow {
  id: number;
  duration_seconds: number;
  data_cap_bytes: number | null;
  devices: number;
  clock: 'wall' | 'uptime';
  starts_on: 'first_login' | 'payment';
}

export async function issueForPurchase(tx: Conn, deps: Deps, input: IssueInput): Promise<IssueResult> {
  const now = deps.clock.now();
  const [plan] = input.plan
    ? [input.plan]
    : await query<PlanRow>(
        tx,
        sql`SELECT id, duration_seconds, data_cap_bytes, devices, clock, starts_on FROM plans WHERE id = ${input.planId}`,
      );
  if (!plan) throw new AppError('not_found', 'That package no longer exists.');

  if (input.purpose === 'access') {
    const live = await findExtendable(tx, input, now);
    if (live) return extend(tx, deps, live, plan, input, now);
  }

  if (input.purpose === 'voucher') {
    // "Buy for later / for someone else": hand out pre-made stock of the plan first (imported
    // router vouchers, online batches), so each is sold once; make a fresh code only when none is left.
    const sold = await sellVoucher(tx, deps, {
      planId: plan.id,
      purchaseId: input.purchaseId,
      phone: input.phone,
    });
    if (sold) {
      await sendVoucherSms(tx, deps, {
        purchaseId: input.purchaseId,
        planId: plan.id,
        code: sold.code,
        password: sold.password,
        buyerPhone: input.phone,
      });
      return { accessCodeId: sold.accessCodeId, code: sold.code, password: sold.password, extended: false };
    }
  }

  // A new code. Activate now when the buyer is at the portal (their device is known) or the plan
  // says its clock starts at payment; otherwise the clock starts at first login.
  const activateNow = input.purpose === 'access' && (input.mac !== null || plan.starts_on === 'payment');
  const mac = input.purpose === 'access' ? input.mac : null;
  const routerId = mac === null ? null : input.routerId;
  const router =
    routerId === null ? null : input.router !== undefined ? input.router : await routerMode(tx, routerId);
  // An api router that we connect to gets its grant in the statement below; one reached through
  // the agent also needs its command queued, which enqueueGrantIfApi does after it.
  const pushNow = routerId !== null && router?.mode === 'api' && router.transport !== 'agent';
  const reason = `purchase:${input.purchaseId}`;
  const id = randomUUID();
  let code = '';
  for (let attempt = 0; ; attempt++) {
    code = generateAccessCode();
    const expiresAt =
      activateNow && plan.clock === 'wall' ? new Date(now.getTime() + plan.duration_seconds * 1000) : null;
    // The code, its expiry job, the paying device and the router grant (record and job) in one
    // statement: a paid callback writes all of them, and each statement is a round trip. The
    // writes beside the code read it from `code`, so a code_hash collision (nothing inserted)
    // writes nothing else and the loop tries another code.
    const parts = [
      sql`code AS (
        INSERT INTO access_codes (id, code_hash, code_sealed, plan_id, kind, purchase_id, status, devices, clock,
                                  duration_seconds, data_cap_bytes, phone, sold_at, issued_at, activated_at,
                                  expires_at, updated_at)
        VALUES (${id}, ${hashCode(deps.sealer, code)}, ${deps.sealer.seal(code)}, ${plan.id},
                ${input.purpose === 'voucher' ? 'voucher' : 'purchase'}, ${input.purchaseId},
                ${activateNow ? 'active' : 'issued'}, ${plan.devices}, ${plan.clock}, ${plan.duration_seconds},
                ${plan.data_cap_bytes}, ${input.phone}, ${input.purpose === 'voucher' ? now : null}, ${now},
                ${activateNow ? now : null}, ${expiresAt}, ${now})
        ON CONFLICT (code_hash) DO NOTHING
        RETURNING id${expiresAt ? sql`, ${enqueueSpecSql(expiryJob(id, expiresAt), now)} AS expiry_job` : sql``})`,
    ];
    const written = [sql`id`];
    if (mac !== null) {
      parts.push(sql`device AS (
        INSERT INTO access_devices (access_code_id, mac, bound_at, last_seen_at)
        SELECT id, ${mac}, ${now}::timestamptz, ${now}::timestamptz FROM code
        ON CONFLICT (access_code_id, mac) DO UPDATE SET last_seen_at = EXCLUDED.last_seen_at
        RETURNING 1)`);
      written.push(sql`(SELECT count(*) FROM device) AS devices`);
    }
    if (pushNow) {
      parts.push(sql`grant_request AS (
        ${grantRequestSql(sql`SELECT id FROM code`, routerId!, now, false)}
        RETURNING ${enqueueSpecSql(grantJob(id, routerId!, reason), now)} AS job)`);
      written.push(sql`(SELECT count(*) FROM grant_request) AS grants`);
    }
    const inserted = await query(
      tx,
      sql`WITH ${sql.join(parts, sql`, `)} SELECT ${sql.join(written, sql`, `)} FROM code`,
    );
    if (inserted.length) break;
    // 25^10 codes: a collision is a freak event, but it must never become a double grant.
    if (attempt >= 5) throw new Error('could not generate a unique access code');
  }
  if (routerId !== null && !pushNow) await enqueueGrantIfApi(tx, deps, id, routerId, reason, router);
  if (input.purpose === 'voucher') {
    await sendVoucherSms(tx, deps, {
      purchaseId: input.purchaseId,
      planId: plan.id,
      code,
      buyerPhone: input.phone,
    });
  }
  return { accessCodeId: id, code, password: null, extended: false };
}

/** The buyer's live code for the same plan: same phone, or bound to the paying device. */
async function findExtendable(
  tx: Conn,
  input: IssueInput,
  now: Date,
): Promise<(LiveCode & { code_sealed: string }) | null> {
  if (!input.phone && !input.mac) return null;
  const rows = await query<LiveCode & { code_sealed: string }>(
    tx,
    // Candidates from two index lookups (access_codes_phone_idx, access_devices_mac_idx): an OR
    // across the two tables would scan every live code, and its time grew with their number.
    sql`SELECT c.id, c.code_sealed, c.status, c.clock, c.expires_at
        FROM access_codes c
        WHERE c.id IN (SELECT a.id FROM access_codes a WHERE a.phone = ${input.phone}
                       UNION
                       SELECT d.access_code_id FROM access_devices d WHERE d.mac = ${input.mac})
          AND c.kind = 'purchase' AND c.plan_id = ${input.planId} AND c.status IN ('issued', 'active')
          AND (c.expires_at IS NULL OR c.expires_at > ${now})
          AND (c.used_seconds < c.duration_seconds)
        ORDER BY c.issued_at DESC
        LIMIT 1
        FOR UPDATE OF c`,
  );
  return rows[0] ?? null;
}

async function extend(
  tx: Conn,
  deps: Deps,
  live: LiveCode & { code_sealed: string },
  plan: PlanRow,
  input: IssueInput,
  now: Date,
): Promise<IssueResult> {
  await lengthenCode(tx, deps, live, {
    seconds: plan.duration_seconds,
    bytes: plan.data_cap_bytes ?? 0,
    reason: `purchase:${input.purchaseId}`,
  });
  if (input.mac) await bindDevice(tx, live.id, input.mac, now);
  // The router the buyer is on learns the new limits now; others converge at their next reconcile.
  await enqueueGrantIfApi(tx, deps, live.id, input.routerId, `purchase:${input.purchaseId}`, input.router);
  return {
    accessCodeId: live.id,
    code: deps.sealer.unseal(live.code_sealed),
    password: null,
    extended: true,
  };
}
