/**
 * May this device go online with this code? Used by the portal, the redeem API and RADIUS. The
 * first login starts the clock; each new device is bound up to the plan's limit. The code's row is
 * locked for the decision, so two devices racing for the last slot cannot both win.
 */
import { sql } from 'drizzle-orm';
import type { Deps } from '../app/deps.ts';
import { type Conn, asDate, query } from '../db/open.ts';
import { normalizeMac } from '../lib/mac.ts';
import { hashCode, looksLikeCode, normalizeCode } from './codes.ts';
import { expireCode, scheduleExpiry } from './expire.ts';
import { bindDevice, enqueueGrantIfApi } from './grant.ts';

export type DenyReason = 'unknown' | 'expired' | 'revoked' | 'device_limit' | 'used_up' | 'not_valid_yet';

export type AccessDecision =
  | {
      ok: true;
      accessCodeId: string;
      code: string;
      planId: number;
      clock: 'wall' | 'uptime';
      secondsLeft: number;
      expiresAt: Date | null;
      bytesLeft: number | null;
      rateUpKbps: number | null;
      rateDownKbps: number | null;
      devices: number;
      idleTimeoutSeconds: number;
    }
  | { ok: false; reason: DenyReason; message: string };

export const DENY_MESSAGES: Record<DenyReason, string> = {
  unknown: 'That code is not valid. Check it and try again.',
  expired: 'That code has expired. Buy a new package to continue.',
  revoked: 'That code has been cancelled. Contact support if you think this is wrong.',
  device_limit: 'That code is already in use on the maximum number of devices.',
  used_up: 'That code has no time or data left. Buy a new package to continue.',
  not_valid_yet: 'That voucher can no longer be used: its validity period has ended.',
};

/** Idle sessions are closed after this long so a forgotten phone does not hold a device slot. */
export const IDLE_TIMEOUT_SECONDS = 600;

const deny = (reason: DenyReason): AccessDecision => ({ ok: false, reason, message: DENY_MESSAGES[reason] });

interface CodeRow {
  id: string;
  code_sealed: string;
  plan_id: number;
  status: 'issued' | 'active' | 'expired' | 'revoked';
  devices: number;
  clock: 'wall' | 'uptime';
  duration_seconds: number;
  data_cap_bytes: number | null;
  used_seconds: number;
  used_bytes: number;
  valid_until: unknown;
  expires_at: unknown;
  rate_up_kbps: number | null;
  rate_down_kbps: number | null;
}

const SELECT_CODE = sql`SELECT c.id, c.code_sealed, c.plan_id, c.status, c.devices, c.clock, c.duration_seconds,
                               c.data_cap_bytes, c.used_seconds, c.used_bytes, c.valid_until, c.expires_at,
                               p.rate_up_kbps, p.rate_down_kbps
                        FROM access_codes c JOIN plans p ON p.id = c.plan_id`;

export interface AuthorizeInput {
  code: string;
  mac?: string | null;
  routerId?: number | null;
}

export async function authorizeCode(deps: Deps, input: AuthorizeInput): Promise<AccessDecision> {
  const code = normalizeCode(input.code);
  if (!looksLikeCode(code)) return deny('unknown');
  const hash = hashCode(deps.sealer, code);
  return deps.db.transaction(async (tx) => {
    const [row] = await query<CodeRow>(tx, sql`${SELECT_CODE} WHERE c.code_hash = ${hash} FOR UPDATE OF c`);
    if (!row) return deny('unknown');
    return decide(tx, deps, row, normalizeMac(input.mac), input.routerId ?? null, true);
  });
}

/** A device that is already bound to a live code (MAC login, RADIUS MAC auth, "welcome back"). */
export async function authorizeMac(
  deps: Deps,
  input: { mac: string; routerId?: number | null },
): Promise<AccessDecision> {
  const mac = normalizeMac(input.mac);
  if (!mac) return deny('unknown');
  return deps.db.transaction(async (tx) => {
    const [row] = await query<CodeRow>(
      tx,
      sql`${SELECT_CODE}
          WHERE c.status IN ('issued', 'active')
            AND EXISTS (SELECT 1 FROM access_devices d WHERE d.access_code_id = c.id AND d.mac = ${mac})
          ORDER BY c.activated_at DESC NULLS LAST
          LIMIT 1
          FOR UPDATE OF c`,
    );
    if (!row) return deny('unknown');
    return decide(tx, deps, row, mac, input.routerId ?? null, false);
  });
}

async function decide(
  tx: Conn,
  deps: Deps,
  row: CodeRow,
  mac: string | null,
  routerId: number | null,
  mayBind: boolean,
): Promise<AccessDecision> {
  const now = deps.clock.now();
  if (row.status === 'revoked') return deny('revoked');
  if (row.status === 'expired') return deny('expired');

  let expiresAt = row.expires_at ? asDate(row.expires_at) : null;
  if (row.status === 'issued') {
    if (row.valid_until && asDate(row.valid_until) <= now) return deny('not_valid_yet');
    // First login: the clock starts now.
    expiresAt = row.clock === 'wall' ? new Date(now.getTime() + row.duration_seconds * 1000) : null;
    await tx.execute(
      sql`UPDATE access_codes SET status = 'active', activated_at = ${now}, expires_at = ${expiresAt}, updated_at = ${now}
          WHERE id = ${row.id}`,
    );
    if (expiresAt) await scheduleExpiry(tx, deps, row.id, expiresAt);
  }

  const secondsLeft =
    row.clock === 'wall'
      ? Math.floor(((expiresAt?.getTime() ?? now.getTime()) - now.getTime()) / 1000)
      : row.duration_seconds - row.used_seconds;
  const bytesLeft = row.data_cap_bytes === null ? null : row.data_cap_bytes - row.used_bytes;
  if (secondsLeft <= 0 || (bytesLeft !== null && bytesLeft <= 0)) {
    await expireCode(tx, deps, row.id, now);
    return deny(row.clock === 'wall' && secondsLeft <= 0 ? 'expired' : 'used_up');
  }

  if (mac) {
    const bound = await query<{ mac: string }>(
      tx,
      sql`SELECT mac FROM access_devices WHERE access_code_id = ${row.id}`,
    );
    const already = bound.some((b) => b.mac === mac);
    if (!already) {
      if (!mayBind || bound.length >= row.devices) return deny(mayBind ? 'device_limit' : 'unknown');
      await bindDevice(tx, row.id, mac, now);
      await enqueueGrantIfApi(tx, deps, row.id, routerId, `device:${mac}`);
    } else {
      await bindDevice(tx, row.id, mac, now); // refresh last_seen_at
      await enqueueGrantIfApi(tx, deps, row.id, routerId, `device:${mac}`);
    }
  }

  return {
    ok: true,
    accessCodeId: row.id,
    code: deps.sealer.unseal(row.code_sealed),
    planId: row.plan_id,
    clock: row.clock,
    secondsLeft,
    expiresAt,
    bytesLeft,
    rateUpKbps: row.rate_up_kbps,
    rateDownKbps: row.rate_down_kbps,
    devices: row.devices,
    idleTimeoutSeconds: IDLE_TIMEOUT_SECONDS,
  };
}
