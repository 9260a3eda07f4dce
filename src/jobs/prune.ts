import { sql } from 'drizzle-orm';
import type { Database } from '../db/open.ts';
import type { Clock } from '../lib/clock.ts';
import { handler } from './define.ts';
import { PRUNE_JOBS_JOB } from './job-kinds.ts';
import type { JobDefinition, RecurringJob } from './types.ts';

const DAY = 86_400_000;

/** Finished jobs are kept a week for the dashboard and debugging; dead ones a month. */
export function pruneJobs(
  database: Database,
  clock: Clock,
): { definition: JobDefinition; schedule: RecurringJob } {
  return {
    definition: handler(PRUNE_JOBS_JOB, async () => {
      const now = clock.now().getTime();
      await database.db.execute(
        sql`DELETE FROM jobs WHERE (status = 'done' AND finished_at < ${new Date(now - 7 * DAY)})
                               OR (status = 'dead' AND finished_at < ${new Date(now - 30 * DAY)})`,
      );
    }),
    schedule: { job: PRUNE_JOBS_JOB, everyMs: 6 * 3_600_000 },
  };
}
