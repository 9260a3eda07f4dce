/** The `wavu` command. Each subcommand lives with its feature; this file only dispatches. */
import { ConfigError } from './config.ts';
import { cliContext } from './cli/with-deps.ts';
import { type Command, listingHelp, UsageError } from './cli/command.ts';

/**
 * Each command is imported when it is the one to run (or for the help), so a process loads the
 * code of its own command only: `wavu radius` does not load the router setup scripts or the
 * simulators, which cost memory in a long-running role.
 */
const COMMANDS: { name: string; load(): Promise<Command> }[] = [
  ...['start', 'serve', 'worker', 'radius', 'migrate'].map((name) => ({
    name,
    load: async () => (await import('./cli/core-commands.ts')).coreCommands.find((c) => c.name === name)!,
  })),
  { name: 'admin', load: async () => (await import('./admin/cli.ts')).adminCommand },
  { name: 'routers', load: async () => (await import('./gateways/cli.ts')).routersCommand },
  { name: 'wireguard', load: async () => (await import('./gateways/wireguard/cli.ts')).wireguardCommand },
  { name: 'vouchers', load: async () => (await import('./vouchers/cli.ts')).vouchersCommand },
  { name: 'subscribers', load: async () => (await import('./subscribers/cli.ts')).subscribersCommand },
  { name: 'sim', load: async () => (await import('./sim/cli.ts')).simCommand },
];

async function help(): Promise<string> {
  const commands = await Promise.all(COMMANDS.map((c) => c.load()));
  return listingHelp(
    [
      'wavu: WiFi hotspot billing (captive portal, M-Pesa, vouchers, MikroTik, RADIUS)',
      '',
      'Usage: wavu <command> [options]',
    ],
    'Commands:',
    commands,
    "Run `wavu <command> --help` for a command's options.",
  );
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${await help()}\n`);
    return name ? 0 : 2;
  }
  const entry = COMMANDS.find((c) => c.name === name);
  if (!entry) {
    process.stderr.write(`wavu: unknown command "${name}"\n\n${await help()}\n`);
    return 2;
  }
  const cmd = await entry.load();
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`${cmd.helpFor?.(rest) ?? cmd.usage}\n`);
    return 0;
  }
  try {
    return (await cmd.run(rest, cliContext)) ?? 0;
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`wavu: ${e.message}\n`);
      return 2;
    }
    if (e instanceof UsageError) {
      process.stderr.write(`wavu ${name}: ${e.message}\n\n${cmd.usage}\n`);
      return 2;
    }
    throw e;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    process.stderr.write(`wavu: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 1;
  },
);
