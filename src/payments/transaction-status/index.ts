// The routes (routes.ts) are mounted by the module, in the HTTP role only: not exported here.
export { handleStatusResult, type StatusOutcome } from './handle-result.ts';
export { startStatusCheck, type StartCheckResult, STATUS_CHECKS_PER_HOUR } from './start-check.ts';
export { safaricomCertificate } from './certificates.ts';
export { statusCallbackUrls } from './urls.ts';
export { type StatusReadiness, statusCheckReadiness } from './readiness.ts';
