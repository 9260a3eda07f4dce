import { sql } from 'drizzle-orm';
import type { Database } from '../db/open.ts';
import type { Clock } from '../lib/clock.ts';
import type { JobDefinition, RecurringJob } from './types.ts';

const DAY = 86_400_000;

/** Finished jobs are kept a week for the dashboard and debugging; dead ones a month. */
export function pruneJobs(
  database: Database,
  clock: Clock,
): { definition: JobDefinition; schedule: RecurringJob } {
  return {
    definition: {
      kind: 'jobs.prune',
      async handle() {
        const now = clock.now().getTime();
        await database.db.execute(
          sql`DELETE FROM jobs WHERE (status = 'done' AND finished_at < ${new Date(now - 7 * DAY)})
                                 OR (status = 'dead' AND finished_at < ${new Date(now - 30 * DAY)})`,
        );
      },
    },
    schedule: { kind: 'jobs.prune', everyMs: 6 * 3_600_000 },
  };
}
