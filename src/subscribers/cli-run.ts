/**
 * `wavu subscribers …`, loaded only when the command runs. It calls the same use cases as the
 * admin API, so every change is audited with `cli` as the actor and tells the router.
 */
import { readFileSync } from 'node:fs';
import type { Deps } from '../app/deps.ts';
import { cliActor } from '../audit/index.ts';
import { type CommandContext, parse, UsageError } from '../cli/command.ts';
import { findRouter } from '../gateways/index.ts';
import { describeZod } from '../http/server.ts';
import { eatDate } from '../lib/eat-time.ts';
import { isAppError } from '../lib/errors.ts';
import { formatKes } from '../lib/money.ts';
import { createSubscriber } from './create-subscriber.ts';
import { importSubscribers } from './import-subscribers.ts';
import { createSubscriberInput, listSubscribersQuery } from './input.ts';
import { listSubscribers } from './list-subscribers.ts';
import type { SubscriberView } from './repo.ts';
import { resumeSubscriber } from './resume-subscriber.ts';
import { showSubscriber } from './show-subscriber.ts';
import { suspendSubscriber } from './suspend-subscriber.ts';

const say = (s: string) => process.stdout.write(`${s}\n`);

const line = (s: SubscriberView) =>
  [
    s.accountNo.padEnd(9),
    s.username.padEnd(16),
    s.planName.padEnd(18),
    s.state.padEnd(12),
    `due ${eatDate(s.dueAt)}`,
    s.amountDueKes ? `owes ${formatKes(s.amountDueKes)}` : '',
  ]
    .join('  ')
    .trimEnd();

function oneRef(positionals: string[]): string {
  if (positionals.length !== 1) throw new UsageError('give one ACCOUNT or USERNAME');
  return positionals[0]!;
}

async function show(deps: Deps, ref: string) {
  const d = await showSubscriber(deps, ref);
  const s = d.subscriber;
  say(`${s.accountNo}  ${s.username}${s.name ? `  (${s.name})` : ''}`);
  say(`  state:   ${s.state}`);
  say(`  plan:    ${s.planName}, ${formatKes(s.priceKes)} a ${s.period}`);
  say(`  router:  ${s.routerName ?? '-'}${s.site ? `, site ${s.site}` : ''}`);
  say(`  phone:   ${s.phone ?? '-'}`);
  say(`  due:     ${eatDate(s.dueAt)} (grace until ${eatDate(s.graceEndsAt)})`);
  say(`  balance: ${formatKes(s.balanceKes)}; amount due now: ${formatKes(s.amountDueKes)}`);
  say(`  payments: ${d.payments.length ? '' : 'none'}`);
  for (const p of d.payments)
    say(
      `    ${eatDate(p.createdAt)}  ${formatKes(p.amountKes)}  ${p.periods} period(s), due → ${eatDate(p.dueAfter)}`,
    );
  say(`  sessions: ${d.sessions.length ? '' : 'none'}`);
  for (const x of d.sessions)
    say(
      `    ${x.startedAt.toISOString()}  ${x.framedIp ?? '-'}  ${x.stoppedAt ? `ended ${x.stopCause ?? ''}` : 'online'}`,
    );
}

export async function runSubscribers(argv: string[], ctx: CommandContext): Promise<number> {
  const [sub, ...rest] = argv;
  try {
    switch (sub) {
      case 'add': {
        const { values: v, positionals } = parse(rest, {
          username: { type: 'string' },
          password: { type: 'string' },
          phone: { type: 'string' },
          router: { type: 'string' },
          plan: { type: 'string' },
          name: { type: 'string' },
          due: { type: 'string' },
        });
        if (positionals.length) throw new UsageError(`unexpected "${positionals[0]}"`);
        if (!v.username || !v.password || !v.router)
          throw new UsageError('--username, --password and --router are required');
        const input = createSubscriberInput.safeParse({
          username: v.username,
          password: v.password,
          phone: v.phone,
          router: v.router,
          plan: v.plan,
          name: v.name,
          dueAt: v.due,
        });
        if (!input.success)
          throw new UsageError(
            describeZod(input.error)
              .replace(/(^|; )(\w+):/g, '$1--$2:')
              .replace('--dueAt', '--due'),
          );
        await ctx.withDeps(async (deps) => {
          const s = await createSubscriber(deps, input.data, cliActor());
          say(`Added ${s.username}: account ${s.accountNo}, ${s.planName}, due ${eatDate(s.dueAt)}.`);
          say(`They pay with Paybill account number ${s.accountNo}.`);
        });
        return 0;
      }
      case 'list': {
        const { values: v, positionals } = parse(rest, {
          state: { type: 'string' },
          due: { type: 'string' },
          router: { type: 'string' },
          search: { type: 'string' },
        });
        if (positionals.length) throw new UsageError(`unexpected "${positionals[0]}"`);
        return await ctx.withDeps(async (deps) => {
          const router = v.router ? (await findRouter(deps, v.router)).id : undefined;
          const q = listSubscribersQuery.safeParse({
            state: v.state,
            due: v.due,
            router,
            q: v.search,
            limit: 500,
          });
          if (!q.success)
            throw new UsageError(
              describeZod(q.error)
                .replace(/(^|; )(\w+):/g, '$1--$2:')
                .replace('--dueAt', '--due'),
            );
          let page = await listSubscribers(deps, q.data);
          let n = 0;
          for (;;) {
            for (const s of page.items) say(line(s));
            n += page.items.length;
            if (!page.nextCursor) break;
            page = await listSubscribers(deps, { ...q.data, cursor: page.nextCursor });
          }
          if (!n) say('No subscribers match.');
          return 0;
        });
      }
      case 'show': {
        const { positionals } = parse(rest, {});
        const ref = oneRef(positionals);
        await ctx.withDeps((deps) => show(deps, ref));
        return 0;
      }
      case 'suspend': {
        const { values: v, positionals } = parse(rest, { reason: { type: 'string' } });
        const ref = oneRef(positionals);
        await ctx.withDeps(async (deps) => {
          const s = await suspendSubscriber(deps, ref, cliActor(), null, v.reason);
          say(`${s.accountNo} ${s.username} is suspended.`);
        });
        return 0;
      }
      case 'resume': {
        const { positionals } = parse(rest, {});
        const ref = oneRef(positionals);
        await ctx.withDeps(async (deps) => {
          const s = await resumeSubscriber(deps, ref, cliActor());
          say(
            s.state === 'active'
              ? `${s.accountNo} ${s.username} is active again.`
              : `${s.accountNo} ${s.username} is back, but expired (past due + grace): in the expired pool until they pay ${formatKes(s.amountDueKes)}.`,
          );
        });
        return 0;
      }
      case 'import': {
        const { values: v, positionals } = parse(rest, {
          router: { type: 'string' },
          plan: { type: 'string' },
          'dry-run': { type: 'boolean' },
        });
        const file = oneRef(positionals);
        const text = readFileSync(file, 'utf8');
        return await ctx.withDeps(async (deps) => {
          const r = await importSubscribers(deps, {
            text,
            router: v.router,
            plan: v.plan,
            source: file,
            dryRun: v['dry-run'],
            actor: cliActor(),
          });
          const lines = [
            ...r.imported.map((i) => ({
              line: i.line,
              text: `${r.nothingImported ? 'ok' : 'imported'}: ${i.username}${i.accountNo ? ` as ${i.accountNo}` : ''} on ${i.plan}`,
            })),
            ...r.problems.map((p) => ({ line: p.line, text: `NOT imported: ${p.reason}` })),
          ].sort((a, b) => a.line - b.line);
          for (const l of lines) say(`  line ${l.line}: ${l.text}`);
          if (r.problems.length)
            say(`Nothing imported from ${file} (${r.format}): ${r.problems.length} line(s) to fix first.`);
          else if (v['dry-run'])
            say(`Dry run (${r.format}): ${r.imported.length} subscriber(s) would be imported.`);
          else say(`Imported ${r.imported.length} subscriber(s) from ${file} (${r.format}).`);
          return r.problems.length ? 1 : 0;
        });
      }
      default:
        throw new UsageError(sub ? `unknown subcommand "${sub}"` : 'a subcommand is required');
    }
  } catch (e) {
    if (isAppError(e)) {
      process.stderr.write(`wavu subscribers: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}
