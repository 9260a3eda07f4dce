/** The radius feature's jobs, both recurring (radius/module.ts). */
import { defineJob, noPayload } from '../jobs/define.ts';

/** Close sessions whose router stopped sending accounting. */
export const SWEEP_JOB = defineJob('radius.sweep-sessions', noPayload, { maxAttempts: 1 });
/** Ask routers whose CoA port is marked unreachable again. */
export const COA_PROBE_JOB = defineJob('radius.coa-probe', noPayload, { maxAttempts: 1 });
