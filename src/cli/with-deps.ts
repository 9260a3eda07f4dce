/**
 * The one bootstrap for CLI commands that work on the data (`wavu routers`, `wavu vouchers`,
 * `wavu admin`): the configured database, migrated, and the app's Deps; everything closed
 * afterwards, whatever `run` did, so the process can exit.
 */
import { createDeps } from '../app/create-deps.ts';
import type { Deps } from '../app/deps.ts';
import { loadConfig } from '../config.ts';
import { migrate } from '../db/migrate.ts';
import { openDatabase } from '../db/open.ts';
import { systemClock } from '../lib/clock.ts';
import { createLogger } from '../lib/log.ts';
import type { CommandContext } from './command.ts';

export async function withDeps<T>(run: (deps: Deps) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  // A command's own output is the answer; routine info logs would only clutter it.
  const log = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel);
  const deps = createDeps({ config, database, clock: systemClock, log });
  try {
    await migrate(database);
    return await run(deps);
  } finally {
    await deps.routerConnections.closeAll();
    await database.close();
  }
}

/** The context every command runs with. */
export const cliContext: CommandContext = { withDeps };
