/** The job runner's own housekeeping (prune.ts). */
import { defineJob, noPayload } from './define.ts';

/** Recurring: finished jobs are kept a week, dead ones a month. */
export const PRUNE_JOBS_JOB = defineJob('jobs.prune', noPayload, { maxAttempts: 1 });
