/**
 * Which payment account a payment belongs to. A purchase takes the account of the router the
 * customer is on: the router's own choice, else its site's, else the default account. A payment
 * Wavu learns of from M-Pesa (C2B, Transaction Status, Pull) belongs to the account whose
 * receiving number it was paid to.
 */
import { sql } from 'drizzle-orm';
import { type Conn, query } from '../../db/open.ts';
import { type LiveAccounts, receivingShortcode } from './live.ts';

/** The account for a purchase made on `routerId`; null = the default account. */
export async function accountForRouter(
  conn: Conn,
  routerId: number | null | undefined,
): Promise<number | null> {
  if (routerId === null || routerId === undefined) return null;
  const [r] = await query<{ id: number | null }>(
    conn,
    sql`SELECT coalesce(r.payment_account_id, s.payment_account_id) AS id
        FROM routers r LEFT JOIN payment_account_sites s ON s.site = r.site
        WHERE r.id = ${routerId}`,
  );
  return r?.id ?? null;
}

/**
 * The account whose Paybill, Till or store number is `shortcode`, or null when it is none of
 * ours. The receiving number (till or Paybill) is matched first, then a till's store number.
 */
export async function accountByShortcode(
  accounts: LiveAccounts,
  shortcode: string | null | undefined,
): Promise<number | null> {
  if (!shortcode) return null;
  const all = await accounts.all();
  const hit =
    all.find((a) => receivingShortcode(a) === shortcode) ?? all.find((a) => a.shortcode === shortcode);
  return hit?.accountId ?? null;
}

/** Every receiving number of ours (for checks that a payment went to us at all). */
export async function ourShortcodes(accounts: LiveAccounts): Promise<Map<string, number>> {
  const m = new Map<string, number>();
  for (const a of await accounts.all()) if (a.shortcode) m.set(receivingShortcode(a), a.accountId);
  return m;
}
