/** The `wavu` command. Each subcommand lives with its feature; this file only dispatches. */
import { ConfigError } from './config.ts';
import { cliContext } from './cli/with-deps.ts';
import { type Command, listingHelp, UsageError } from './cli/command.ts';
import { coreCommands } from './cli/core-commands.ts';
import { adminCommand } from './admin/cli.ts';
import { routersCommand } from './gateways/cli.ts';
import { wireguardCommand } from './gateways/wireguard/cli.ts';
import { simCommand } from './sim/cli.ts';
import { subscribersCommand } from './subscribers/cli.ts';
import { vouchersCommand } from './vouchers/cli.ts';

const commands: Command[] = [
  ...coreCommands,
  adminCommand,
  routersCommand,
  wireguardCommand,
  vouchersCommand,
  subscribersCommand,
  simCommand,
];

function help(): string {
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
    process.stdout.write(`${help()}\n`);
    return name ? 0 : 2;
  }
  const cmd = commands.find((c) => c.name === name);
  if (!cmd) {
    process.stderr.write(`wavu: unknown command "${name}"\n\n${help()}\n`);
    return 2;
  }
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
