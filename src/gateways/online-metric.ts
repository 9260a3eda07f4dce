/**
 * Paid → online, for the metrics: when a code issued for a payment is first confirmed on a
 * router. A purchase's code is issued in the transaction that marks it paid, so its issued_at is
 * the paid moment. Only grants first confirmed at `at` count (granted_at keeps the first time),
 * so a re-grant after a reboot or an extension is not measured again; vouchers have no payment.
 */
import { sql } from 'drizzle-orm';
import type { Deps } from '../app/deps.ts';
import { asDate, query } from '../db/open.ts';

export async function observeOnline(
  deps: Deps,
  accessCodeIds: string[],
  routerId: number,
  at: Date,
  mode: string,
): Promise<void> {
  if (!accessCodeIds.length) return;
  const rows = await query<{ issued_at: string }>(
    deps.db,
    sql`SELECT c.issued_at FROM access_grants g JOIN access_codes c ON c.id = g.access_code_id
        WHERE g.router_id = ${routerId} AND g.granted_at = ${at} AND c.purchase_id IS NOT NULL
          AND g.access_code_id IN (${sql.join(
            accessCodeIds.map((id) => sql`${id}::uuid`),
            sql`, `,
          )})`,
  );
  for (const r of rows) deps.metrics.online(mode, (at.getTime() - asDate(r.issued_at).getTime()) / 1000);
}
