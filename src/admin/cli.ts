import type { Command } from '../cli/command.ts';

/** `wavu admin`: the work (argon2, database) is loaded only when this command runs. */
export const adminCommand: Command = {
  name: 'admin',
  summary: 'Manage admin accounts (admin create --username U --role owner).',
  usage: `wavu admin create --username NAME --role owner|admin|cashier|viewer [--password-stdin]

Creates an admin account. The password is read from standard input with --password-stdin
(first line), otherwise prompted for twice (not echoed). At least 10 characters.

Example:
  printf '%s\\n' "$PASSWORD" | wavu admin create --username amina --role owner --password-stdin`,
  run: async (argv) => (await import('./cli-run.ts')).runAdmin(argv),
};
