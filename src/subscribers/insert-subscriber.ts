/** Writing one new subscriber on an open transaction: shared by adding one and importing many. */
import { sql } from 'drizzle-orm';
import type { Deps } from '../app/deps.ts';
import { type Actor, audit } from '../audit/index.ts';
import { type Conn, query } from '../db/open.ts';
import type { CreateSubscriberInput, SubscriberState } from './input.ts';
import type { ServicePlan } from './repo.ts';
import { requestSync } from './sync.ts';

/** The next account number: "W" and the sequence (W100001, W100002…), never reused. */
async function nextAccountNo(tx: Conn): Promise<string> {
  const [r] = await query<{ n: string }>(tx, sql`SELECT nextval('subscriber_account_no_seq')::text AS n`);
  return `W${r!.n}`;
}

export const usernameExists = async (tx: Conn, username: string): Promise<boolean> =>
  (await query(tx, sql`SELECT 1 FROM subscribers WHERE lower(username) = lower(${username})`)).length > 0;

export async function insertSubscriber(
  tx: Conn,
  deps: Deps,
  s: {
    input: CreateSubscriberInput;
    plan: ServicePlan;
    routerId: number | null;
    site: string | null;
    state: SubscriberState;
    actor: Actor;
    ip: string | null;
    /** Extra audit detail (where an import came from). */
    source?: Record<string, unknown>;
  },
): Promise<{ id: number; accountNo: string }> {
  const now = deps.clock.now();
  const accountNo = await nextAccountNo(tx);
  const dueAt = s.input.dueAt ?? now;
  const [row] = await query<{ id: number }>(
    tx,
    sql`INSERT INTO subscribers (account_no, name, phone, username, password_sealed, service_plan_id,
                                 router_id, site, static_ip, state, due_at, auto_renew, created_at, updated_at)
        VALUES (${accountNo}, ${s.input.name ?? null}, ${s.input.phone ?? null}, ${s.input.username},
                ${deps.sealer.seal(s.input.password)}, ${s.plan.id}, ${s.routerId}, ${s.site},
                ${s.input.staticIp ?? null}, ${s.state}, ${dueAt}, ${s.input.autoRenew ?? false}, ${now}, ${now})
        RETURNING id`,
  );
  const id = Number(row!.id);
  await requestSync(tx, deps, id);
  await audit(tx, deps, {
    actor: s.actor,
    action: 'subscriber.create',
    entity: 'subscriber',
    entityId: id,
    detail: {
      accountNo,
      username: s.input.username,
      plan: s.plan.name,
      routerId: s.routerId,
      site: s.site,
      state: s.state,
      dueAt: dueAt.toISOString(),
      ...s.source,
    },
    ip: s.ip,
  });
  return { id, accountNo };
}
