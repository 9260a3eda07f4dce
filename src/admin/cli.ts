import type { Command } from '../cli/command.ts';

/** `wavu admin`: the work (argon2, database) is loaded only when this command runs. */
export const adminCommand: Command = {
  name: 'admin',
  summary: 'Admin accounts from the shell: create, unlock, reset-password.',
  usage: `wavu admin create --username NAME --role owner|admin|cashier|viewer [--password-stdin | --generate]
wavu admin unlock NAME
wavu admin reset-password NAME [--password-stdin | --generate]

create          Creates an admin account.
unlock          Lets every address sign in to NAME again at once (after too many wrong
                passwords from one address).
reset-password  Sets a new password for NAME, signs it out everywhere and unlocks it.

The password is read from standard input with --password-stdin (first line), made up and
printed once with --generate, otherwise prompted for twice (not echoed). At least 10
characters, not containing the username. Each change is written to the audit log.

Examples:
  printf '%s\\n' "$PASSWORD" | wavu admin create --username amina --role owner --password-stdin
  wavu admin unlock amina
  wavu admin reset-password amina --generate`,
  run: async (argv, ctx) =>
    (await import('./cli-run.ts')).runAdmin(argv, { withDeps: ctx.withDeps, stdin: process.stdin }),
};
