import { sql } from 'drizzle-orm';
import type { Deps } from '../app/deps.ts';
import { type Actor, audit } from '../audit/index.ts';
import { type Conn, isUniqueViolation, query } from '../db/open.ts';
import { AppError } from '../lib/errors.ts';
import { usernameTaken } from './errors.ts';
import type { CreateSubscriberInput } from './input.ts';
import { routerFor } from './place.ts';
import {
  defaultServicePlan,
  findServicePlan,
  findSubscriberRow,
  routerNames,
  type SubscriberView,
  toSubscriberView,
} from './repo.ts';
import { requestSync } from './sync.ts';

/** The next account number: "W" and the sequence (W100001, W100002…), never reused. */
async function nextAccountNo(tx: Conn): Promise<string> {
  const [r] = await query<{ n: string }>(tx, sql`SELECT nextval('subscriber_account_no_seq')::text AS n`);
  return `W${r!.n}`;
}

/**
 * A new PPPoE subscriber, active at once. The password is sealed (RADIUS CHAP and MS-CHAPv2 need
 * it back in clear, so it cannot be hashed). The first period is due at creation unless `dueAt`
 * says otherwise (see docs/subscribers.md); the router is told through `subscriber.sync`.
 */
export async function createSubscriber(
  deps: Deps,
  input: CreateSubscriberInput,
  actor: Actor,
  ip: string | null = null,
): Promise<SubscriberView> {
  const now = deps.clock.now();
  const router = input.router == null ? null : await routerFor(deps, input.router);
  const site = input.site ?? router?.site ?? null;
  if (!router && !site)
    throw new AppError('validation', 'router: Say which router (or site) the subscriber connects through.');
  try {
    const id = await deps.db.transaction(async (tx) => {
      const plan = input.plan == null ? await defaultServicePlan(tx) : await findServicePlan(tx, input.plan);
      if (!plan)
        throw new AppError(
          'validation',
          input.plan == null
            ? 'plan: There is no active service plan; add one first.'
            : `plan: There is no service plan "${input.plan}".`,
        );
      const taken = await query(
        tx,
        sql`SELECT 1 FROM subscribers WHERE lower(username) = lower(${input.username})`,
      );
      if (taken.length) throw usernameTaken(input.username);
      const accountNo = await nextAccountNo(tx);
      const dueAt = input.dueAt ?? now;
      const [row] = await query<{ id: number }>(
        tx,
        sql`INSERT INTO subscribers (account_no, name, phone, username, password_sealed, service_plan_id,
                                     router_id, site, static_ip, state, due_at, auto_renew, created_at, updated_at)
            VALUES (${accountNo}, ${input.name ?? null}, ${input.phone ?? null}, ${input.username},
                    ${deps.sealer.seal(input.password)}, ${plan.id}, ${router?.id ?? null}, ${site},
                    ${input.staticIp ?? null}, 'active', ${dueAt}, ${input.autoRenew ?? false}, ${now}, ${now})
            RETURNING id`,
      );
      const subscriberId = Number(row!.id);
      await requestSync(tx, deps, subscriberId);
      await audit(tx, deps, {
        actor,
        action: 'subscriber.create',
        entity: 'subscriber',
        entityId: subscriberId,
        detail: {
          accountNo,
          username: input.username,
          plan: plan.name,
          routerId: router?.id ?? null,
          site,
          dueAt: dueAt.toISOString(),
        },
        ip,
      });
      return subscriberId;
    });
    return toSubscriberView(await findSubscriberRow(deps.db, id), now, await routerNames(deps));
  } catch (e) {
    // Two staff adding the same username at once: the loser hits the unique index.
    if (isUniqueViolation(e)) throw usernameTaken(input.username);
    throw e;
  }
}
