/**
 * Importing subscribers from a CSV file or a MikroTik `/ppp secret export`, all or nothing: every
 * line is checked first (its fields, its plan and router, its username against the database and
 * the rest of the file), and only a file without a single problem is written, in one transaction.
 * The report says, per line, what was (or would be) imported or why not.
 */
import type { Deps } from '../app/deps.ts';
import type { Actor } from '../audit/index.ts';
import { describeZod } from '../http/errors.ts';
import { isUniqueViolation } from '../db/open.ts';
import { AppError, isAppError } from '../lib/errors.ts';
import { createSubscriberInput, type CreateSubscriberInput, type SubscriberState } from './input.ts';
import { insertSubscriber, usernameExists } from './insert-subscriber.ts';
import { type ImportLineProblem, parseSubscriberImport } from './parse-import.ts';
import { routerFor } from './place.ts';
import { defaultServicePlan, findServicePlan, type ServicePlan } from './repo.ts';

export interface ImportSubscribersResult {
  format: 'csv' | 'mikrotik';
  /** True when nothing was written: a dry run, or a file with problems. */
  nothingImported: boolean;
  imported: { line: number; username: string; accountNo: string | null; plan: string }[];
  problems: ImportLineProblem[];
}

export async function importSubscribers(
  deps: Deps,
  o: {
    text: string;
    /** The router (id or name) for rows that name none: a MikroTik export comes from one router. */
    router?: string | number | undefined;
    /** The plan for rows that name none (or whose profile is no plan); default: the default plan. */
    plan?: string | number | undefined;
    /** What the file is called, for the audit log. */
    source?: string | undefined;
    dryRun?: boolean | undefined;
    actor: Actor;
    ip?: string | null;
  },
): Promise<ImportSubscribersResult> {
  const parsed = parseSubscriberImport(o.text);
  const problems = [...parsed.problems];
  const fallbackPlan =
    o.plan == null ? await defaultServicePlan(deps.db) : await findServicePlan(deps.db, o.plan);
  const plans = new Map<string, ServicePlan | null>();
  const routers = new Map<string, { id: number; site: string | null } | string>();
  const seen = new Map<string, number>();
  const ready: {
    line: number;
    input: CreateSubscriberInput;
    plan: ServicePlan;
    router: { id: number; site: string | null };
    state: SubscriberState;
  }[] = [];

  for (const r of parsed.rows) {
    const fail = (reason: string) => problems.push({ line: r.line, reason: `${r.username}: ${reason}` });
    const checked = createSubscriberInput.safeParse({
      username: r.username,
      password: r.password,
      phone: r.phone ?? null,
      name: r.name ?? null,
      staticIp: r.staticIp ?? null,
      ...(r.due ? { dueAt: r.due } : {}),
    });
    if (!checked.success) {
      fail(describeZod(checked.error));
      continue;
    }
    const key = r.username.toLowerCase();
    const first = seen.get(key);
    if (first !== undefined) {
      fail(`the same username as line ${first}`);
      continue;
    }
    seen.set(key, r.line);
    if (await usernameExists(deps.db, r.username)) {
      fail('already a subscriber');
      continue;
    }
    let plan: ServicePlan | null = fallbackPlan;
    if (r.plan) {
      if (!plans.has(r.plan)) plans.set(r.plan, await findServicePlan(deps.db, r.plan));
      const named = plans.get(r.plan)!;
      // A CSV names Wavu's plans; a MikroTik profile may not be one, and then the fallback applies.
      if (named) plan = named;
      else if (parsed.format === 'csv') {
        fail(`there is no service plan "${r.plan}"`);
        continue;
      }
    }
    if (!plan) {
      fail(
        o.plan == null
          ? 'there is no active service plan to put them on'
          : `there is no service plan "${o.plan}"`,
      );
      continue;
    }
    const routerRef = r.router ?? (o.router == null ? undefined : String(o.router));
    if (!routerRef) {
      fail('no router: give a router column, or the router the file came from');
      continue;
    }
    if (!routers.has(routerRef)) {
      try {
        routers.set(routerRef, await routerFor(deps, routerRef));
      } catch (e) {
        if (!isAppError(e)) throw e;
        routers.set(routerRef, `there is no router "${routerRef}"`);
      }
    }
    const router = routers.get(routerRef)!;
    if (typeof router === 'string') {
      fail(router);
      continue;
    }
    ready.push({
      line: r.line,
      input: checked.data,
      plan,
      router,
      state: r.suspended ? 'suspended' : 'active',
    });
  }
  problems.sort((a, b) => a.line - b.line);

  const preview = ready.map((r) => ({
    line: r.line,
    username: r.input.username,
    accountNo: null,
    plan: r.plan.name,
  }));
  if (problems.length || o.dryRun || !ready.length)
    return { format: parsed.format, nothingImported: true, imported: preview, problems };

  const imported = await deps.db
    .transaction(async (tx) => {
      const out: ImportSubscribersResult['imported'] = [];
      for (const r of ready) {
        const made = await insertSubscriber(tx, deps, {
          input: r.input,
          plan: r.plan,
          routerId: r.router.id,
          site: r.router.site,
          state: r.state,
          actor: o.actor,
          ip: o.ip ?? null,
          source: { import: o.source ?? parsed.format, line: r.line },
        });
        out.push({ line: r.line, username: r.input.username, accountNo: made.accountNo, plan: r.plan.name });
      }
      return out;
    })
    .catch((e) => {
      // Someone added one of these usernames between the check and the write: nothing was written.
      if (isUniqueViolation(e))
        throw new AppError(
          'conflict',
          'A username in the file was added meanwhile; nothing was imported. Run the import again.',
        );
      throw e;
    });
  return { format: parsed.format, nothingImported: false, imported, problems };
}
