/** The admin feature's jobs: both recurring, hourly (admin/module.ts). */
import { defineJob, noPayload } from '../jobs/define.ts';

/** Expired staff sessions and login throttles. */
export const ADMIN_PRUNE_JOB = defineJob('admin.prune', noPayload, { maxAttempts: 1 });
/** The day's reconciliation report, once a day from 06:00 EAT (reconciliation/daily.ts). */
export const DAILY_RECONCILIATION_JOB = defineJob('reports.reconciliation', noPayload, { maxAttempts: 1 });
