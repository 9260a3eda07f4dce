/**
 * Reads what a gateway should hold from the database: the live accesses (codes still usable, with
 * time/data left) and the grants that must come off. Liveness is decided here with the injected
 * clock, not by the code's status alone: a code past its deadline is dead even if `access.expire`
 * has not run yet.
 */
import { sql } from 'drizzle-orm';
import type { Deps } from '../app/deps.ts';
import { type Conn, asDate, query, uuidList } from '../db/open.ts';
import { effectiveRate, parseFairUseRate } from '../plans/index.ts';
import type { AccessSpec } from './adapter.ts';

interface CodeRow {
  id: string;
  code_sealed: string;
  password_sealed: string | null;
  plan_id: number;
  status: string;
  clock: 'wall' | 'uptime';
  duration_seconds: number;
  data_cap_bytes: number | null;
  used_seconds: number;
  used_bytes: number;
  devices: number;
  expires_at: unknown;
  valid_until: unknown;
  rate_up_kbps: number | null;
  rate_down_kbps: number | null;
  fair_use_rate: string | null;
  macs: string | null;
}

const CODE_COLUMNS = sql`c.id, c.code_sealed, c.password_sealed, c.plan_id, c.status, c.clock, c.duration_seconds, c.data_cap_bytes,
  c.used_seconds, c.used_bytes, c.devices, c.expires_at, c.valid_until, p.rate_up_kbps, p.rate_down_kbps,
  p.fair_use_rate, (SELECT string_agg(d.mac, ',' ORDER BY d.bound_at) FROM access_devices d WHERE d.access_code_id = c.id) AS macs`;

/** The spec of a code if it may be online now, else null. */
export function toSpec(deps: Deps, r: CodeRow, now: Date): AccessSpec | null {
  if (r.status !== 'issued' && r.status !== 'active') return null;
  const t = now.getTime();
  if (r.status === 'issued' && r.valid_until && asDate(r.valid_until).getTime() <= t) return null;
  let secondsLeft: number;
  if (r.clock === 'wall' && r.expires_at)
    secondsLeft = Math.floor((asDate(r.expires_at).getTime() - t) / 1000);
  else if (r.clock === 'wall')
    secondsLeft = r.duration_seconds; // not started: the clock runs from first login
  else secondsLeft = r.duration_seconds - Number(r.used_seconds);
  if (secondsLeft <= 0) return null;
  const bytesLeft = r.data_cap_bytes === null ? null : Number(r.data_cap_bytes) - Number(r.used_bytes);
  // A fair-use plan's cap slows the code down instead of ending it (plans/fair-use.ts).
  const fairUse = r.fair_use_rate !== null && parseFairUseRate(r.fair_use_rate) !== null;
  const throttled = fairUse && bytesLeft !== null && bytesLeft <= 0;
  if (bytesLeft !== null && bytesLeft <= 0 && !throttled) return null;
  return {
    accessCodeId: r.id,
    code: deps.sealer.unseal(r.code_sealed),
    ...(r.password_sealed ? { password: deps.sealer.unseal(r.password_sealed) } : {}),
    planId: r.plan_id,
    clock: r.clock,
    secondsLeft,
    bytesLeft: fairUse ? null : bytesLeft,
    throttled,
    ...effectiveRate(
      { rateUpKbps: r.rate_up_kbps, rateDownKbps: r.rate_down_kbps, fairUseRate: r.fair_use_rate },
      throttled,
    ),
    devices: r.devices,
    macs: r.macs ? r.macs.split(',') : [],
  };
}

export async function loadAccess(
  conn: Conn,
  deps: Deps,
  accessCodeId: string,
  now: Date,
): Promise<{ exists: boolean; code: string | null; spec: AccessSpec | null }> {
  const [row] = await query<CodeRow>(
    conn,
    sql`SELECT ${CODE_COLUMNS} FROM access_codes c JOIN plans p ON p.id = c.plan_id WHERE c.id = ${accessCodeId}`,
  );
  if (!row) return { exists: false, code: null, spec: null };
  return { exists: true, code: deps.sealer.unseal(row.code_sealed), spec: toSpec(deps, row, now) };
}

/** A grant that must come off a router, with its state when read (see markRevokedUnlessChanged). */
export interface DeadGrant {
  accessCodeId: string;
  status: string;
  updatedAt: string;
}

/**
 * Live accesses granted on a router (pending or granted), and the grant rows that must come off;
 * of the codes in `only` when given (reconcile re-reading what it is about to change).
 */
export async function desiredForRouter(
  conn: Conn,
  deps: Deps,
  routerId: number,
  now: Date,
  only?: string[],
): Promise<{ specs: AccessSpec[]; dead: DeadGrant[] }> {
  const some = only ? sql`AND g.access_code_id IN (${uuidList(only)})` : sql``;
  const rows = await query<CodeRow & { grant_status: string; grant_updated: string }>(
    conn,
    sql`SELECT ${CODE_COLUMNS}, g.status AS grant_status, g.updated_at::text AS grant_updated
        FROM access_grants g JOIN access_codes c ON c.id = g.access_code_id JOIN plans p ON p.id = c.plan_id
        WHERE g.router_id = ${routerId} AND g.status <> 'revoked' ${some}`,
  );
  const specs: AccessSpec[] = [];
  const dead: DeadGrant[] = [];
  for (const r of rows) {
    const spec = r.grant_status === 'revoking' ? null : toSpec(deps, r, now);
    if (spec) specs.push(spec);
    else dead.push({ accessCodeId: r.id, status: r.grant_status, updatedAt: r.grant_updated });
  }
  return { specs, dead };
}
