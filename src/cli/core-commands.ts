import { loadConfig } from '../config.ts';
import { migrate } from '../db/migrate.ts';
import { openDatabase } from '../db/open.ts';
import { type Command, parse } from './command.ts';
import { runRoles } from './run-roles.ts';

const roleCommand = (name: string, summary: string, roles: Parameters<typeof runRoles>[0]): Command => ({
  name,
  summary,
  usage: `wavu ${name}\n\n${summary}\nConfigured by environment variables; see the README's configuration table.`,
  run: async (argv) => {
    parse(argv, {});
    return runRoles(roles);
  },
});

export const coreCommands: Command[] = [
  roleCommand(
    'start',
    'Run everything in one process: HTTP, job worker, RADIUS (and the simulators in demo mode).',
    ['serve', 'worker', 'radius'],
  ),
  roleCommand('serve', 'Run the HTTP server only (portal, admin, API, callbacks).', ['serve']),
  roleCommand('worker', 'Run the job worker only (grants, expiry, reconciliation, SMS).', ['worker']),
  roleCommand('radius', 'Run the RADIUS authentication and accounting server only.', ['radius']),
  {
    name: 'migrate',
    summary: 'Apply database migrations and exit.',
    usage: 'wavu migrate\n\nApplies every migration the database has not seen yet, then exits.',
    async run(argv) {
      parse(argv, {});
      const config = loadConfig();
      const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
      try {
        const applied = await migrate(database);
        process.stdout.write(
          applied.length
            ? `Applied ${applied.length} migration(s): ${applied.join(', ')}\n`
            : 'Database is up to date.\n',
        );
      } finally {
        await database.close();
      }
      return 0;
    },
  },
];
