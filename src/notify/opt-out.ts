/**
 * Reminder opt-outs, per phone. A customer stops reminders by replying STOP or ACHA
 * (inbound-sms.ts), staff switch them off or back on from the Customers page. Texts the customer
 * asked for (their code, a receipt) are not reminders and are sent regardless.
 */
import { sql } from 'drizzle-orm';
import type { Deps } from '../app/deps.ts';
import { type Actor, audit } from '../audit/index.ts';
import { type Conn, query } from '../db/open.ts';

export type OptOutSource = 'sms' | 'staff';

export async function isOptedOut(conn: Conn, phone: string): Promise<boolean> {
  const rows = await query(conn, sql`SELECT 1 FROM sms_opt_outs WHERE phone = ${phone}`);
  return rows.length > 0;
}

/** Idempotent: opting out twice keeps the first time and source; opting in when in is a no-op. */
export async function setReminderOptOut(
  deps: Deps,
  o: { phone: string; optedOut: boolean; source: OptOutSource; actor: Actor; ip?: string | null },
): Promise<{ phone: string; remindersOff: boolean }> {
  await deps.db.transaction(async (tx) => {
    const changed = o.optedOut
      ? await query(
          tx,
          sql`INSERT INTO sms_opt_outs (phone, source, opted_out_at) VALUES (${o.phone}, ${o.source}, ${deps.clock.now()})
              ON CONFLICT (phone) DO NOTHING RETURNING phone`,
        )
      : await query(tx, sql`DELETE FROM sms_opt_outs WHERE phone = ${o.phone} RETURNING phone`);
    if (changed.length)
      await audit(tx, deps, {
        actor: o.actor,
        action: o.optedOut ? 'customer.reminders-off' : 'customer.reminders-on',
        entity: 'customer',
        entityId: o.phone,
        detail: { source: o.source },
        ip: o.ip ?? null,
      });
  });
  return { phone: o.phone, remindersOff: o.optedOut };
}
