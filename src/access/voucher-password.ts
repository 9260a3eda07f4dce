/**
 * The own password of a voucher imported with one (migration 1650), for the two places that need
 * it in the clear: the router login the portal hands the browser (the router checks the pair, or
 * sends it to RADIUS), and a RADIUS CHAP login, whose response can only be checked against the
 * clear text. Null: the code is its own password.
 */
import { sql } from 'drizzle-orm';
import type { Deps } from '../app/deps.ts';
import { query } from '../db/open.ts';
import { hashCode, looksLikeCode, normalizeCode } from './codes.ts';

export async function voucherPasswordById(deps: Deps, accessCodeId: string): Promise<string | null> {
  const [r] = await query<{ p: string | null }>(
    deps.db,
    sql`SELECT password_sealed AS p FROM access_codes WHERE id = ${accessCodeId}`,
  );
  return r?.p ? deps.sealer.unseal(r.p) : null;
}

export async function voucherPasswordByCode(deps: Deps, code: string): Promise<string | null> {
  const c = normalizeCode(code);
  if (!looksLikeCode(c)) return null;
  const [r] = await query<{ p: string | null }>(
    deps.db,
    sql`SELECT password_sealed AS p FROM access_codes WHERE code_hash = ${hashCode(deps.sealer, c)}`,
  );
  return r?.p ? deps.sealer.unseal(r.p) : null;
}
