import type { Deps } from '../app/deps.ts';
import type { Actor } from '../audit/index.ts';
import { isUniqueViolation } from '../db/open.ts';
import { AppError } from '../lib/errors.ts';
import { usernameTaken } from './errors.ts';
import type { CreateSubscriberInput } from './input.ts';
import { insertSubscriber, usernameExists } from './insert-subscriber.ts';
import { routerFor } from './place.ts';
import {
  defaultServicePlan,
  findServicePlan,
  findSubscriberRow,
  routerNames,
  type SubscriberView,
  toSubscriberView,
} from './repo.ts';

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
      if (await usernameExists(tx, input.username)) throw usernameTaken(input.username);
      const made = await insertSubscriber(tx, deps, {
        input,
        plan,
        routerId: router?.id ?? null,
        site,
        state: 'active',
        actor,
        ip,
      });
      return made.id;
    });
    return toSubscriberView(await findSubscriberRow(deps.db, id), deps.clock.now(), await routerNames(deps));
  } catch (e) {
    // Two staff adding the same username at once: the loser hits the unique index.
    if (isUniqueViolation(e)) throw usernameTaken(input.username);
    throw e;
  }
}
