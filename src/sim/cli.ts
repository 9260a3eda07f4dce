/**
 * `wavu sim <name>`: run one simulator on its own. Each simulator adds one entry to the table
 * below (its own options and help live with it); this file only dispatches.
 */
import { type Command, listingHelp, UsageError } from '../cli/command.ts';
import { darajaSimCommand } from './daraja/standalone.ts';
import type { SimEntry } from './entry.ts';
import { routerosSimEntry } from './routeros/cli.ts';

/** The simulators, one line each: add yours here. */
export const simulators: SimEntry[] = [routerosSimEntry, darajaSimCommand];

function usage(): string {
  return listingHelp(
    [
      'wavu sim <simulator> [options]',
      '',
      'Run a simulator on its own, to try Wavu or other tools without the real service.',
    ],
    'Simulators:',
    simulators,
    'Run `wavu sim <simulator> --help` for its options.',
  );
}

export const simCommand: Command = {
  name: 'sim',
  summary: 'Run a simulator on its own (MikroTik router, M-Pesa Daraja).',
  get usage() {
    return usage();
  },
  helpFor(argv) {
    return simulators.find((s) => s.name === argv[0])?.usage;
  },
  async run(argv) {
    const [name, ...rest] = argv;
    if (!name) throw new UsageError('say which simulator to run');
    const sim = simulators.find((s) => s.name === name);
    if (!sim)
      throw new UsageError(
        `unknown simulator "${name}" (choose from: ${simulators.map((s) => s.name).join(', ')})`,
      );
    return sim.run(rest);
  },
};
