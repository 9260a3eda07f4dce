import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { Deps } from '../app/deps.ts';

/**
 * What the CLI hands a command. Building the app's dependencies is wiring (src/cli/with-deps.ts),
 * so a feature's command receives it here instead of importing it.
 */
export interface CommandContext {
  /** Runs `run` with the app's dependencies on the configured (migrated) database, then closes it. */
  withDeps<T>(run: (deps: Deps) => Promise<T>): Promise<T>;
}

export interface Command {
  name: string;
  summary: string;
  /** Shown by `wavu NAME --help`. */
  usage: string;
  /** Help for `wavu NAME <args> --help` when it depends on the arguments (e.g. `wavu sim routeros --help`). */
  helpFor?(argv: string[]): string | undefined;
  run(argv: string[], ctx: CommandContext): Promise<number | undefined>;
}

/** A mistake in how a command was called: printed as one line with the usage, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export function parse<T extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: T) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message.replace(/^.*?: /, ''));
  }
}

/**
 * A help screen that lists entries one line each, names padded to one column: the shape of both
 * `wavu --help` and `wavu sim --help`.
 */
export function listingHelp(
  head: string[],
  heading: string,
  entries: { name: string; summary: string }[],
  foot: string,
): string {
  const width = Math.max(...entries.map((e) => e.name.length));
  return [
    ...head,
    '',
    heading,
    ...entries.map((e) => `  ${e.name.padEnd(width)}  ${e.summary}`),
    '',
    foot,
  ].join('\n');
}
