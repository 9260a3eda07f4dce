/**
 * `wavu sim <name>`: runs one simulator on its own. Each simulator adds one entry to the table
 * below (its Command lives in its own folder), so adding one touches a single line here.
 */
import { type Command, UsageError } from '../cli/command.ts';
import { darajaSimCommand } from './daraja/standalone.ts';

export const simulators: Command[] = [darajaSimCommand];

function usage(): string {
  const width = Math.max(...simulators.map((s) => s.name.length));
  return [
    'wavu sim <simulator> [options]',
    '',
    'Run a simulator alone on its own port (for development against a fake M-Pesa or router).',
    '',
    'Simulators:',
    ...simulators.map((s) => `  ${s.name.padEnd(width)}  ${s.summary}`),
    '',
    "Run `wavu sim <simulator> --help` for a simulator's options.",
  ].join('\n');
}

export const simCommand: Command = {
  name: 'sim',
  summary: 'Run a simulator alone (daraja, …) for development.',
  get usage() {
    return usage();
  },
  ownHelp: true,
  async run(argv) {
    const [name, ...rest] = argv;
    if (name === '--help' || name === '-h') {
      process.stdout.write(`${usage()}\n`);
      return 0;
    }
    const sim = simulators.find((s) => s.name === name);
    if (!sim) throw new UsageError(name ? `unknown simulator "${name}"` : 'which simulator?');
    if (rest.includes('--help') || rest.includes('-h')) {
      process.stdout.write(`${sim.usage}\n`);
      return 0;
    }
    return sim.run(rest);
  },
};
