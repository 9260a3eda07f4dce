import type { Command } from '../cli/command.ts';

/** `wavu subscribers`: PPPoE subscribers from the shell, through the same use cases as the dashboard. */
export const subscribersCommand: Command = {
  name: 'subscribers',
  summary: 'Add, list, show, suspend, resume and import PPPoE subscribers.',
  get usage() {
    return USAGE;
  },
  run: async (argv, ctx) => (await import('./cli-run.ts')).runSubscribers(argv, ctx),
};

const USAGE = `wavu subscribers <add|list|show|suspend|resume|import> [options]

  wavu subscribers add --username U --password P --phone PHONE --router NAME [--plan NAME]
                       [--name N] [--due DATE]
      Add a PPPoE subscriber. The account number (W100001…) is made for you. --plan: a service
      plan's name (default: the first active plan). The first period is due now unless --due
      gives the date already paid up to (2026-03-31).
  wavu subscribers list [--state active|suspended|expired|disconnected] [--due week|overdue]
                        [--router NAME] [--search TEXT]
      One line per subscriber: account, username, plan, state, due date, amount due.
  wavu subscribers show ACCOUNT|USERNAME
      The subscriber's details, payments and PPP sessions.
  wavu subscribers suspend ACCOUNT|USERNAME [--reason TEXT]
      Cut the subscriber off until resumed (the router rejects the login).
  wavu subscribers resume ACCOUNT|USERNAME
      Lift a suspension: active again, or expired when past the due date and grace.
  wavu subscribers import FILE [--router NAME] [--plan NAME] [--dry-run]
      Import a CSV (username,password,phone,name,plan,router,due) or a MikroTik
      "/ppp secret export". All or nothing: every line is reported, and a file with any problem
      imports nothing. --router: the router for rows without one (a MikroTik export's router).
      --plan: the plan for rows without one, or whose profile is not a service plan.`;
