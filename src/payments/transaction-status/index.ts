export { handleStatusResult, type StatusOutcome } from './handle-result.ts';
export { startStatusCheck, type StartCheckResult, STATUS_CHECKS_PER_HOUR } from './start-check.ts';
export { statusCallbackRoutes } from './routes.ts';
export { safaricomCertificate } from './certificates.ts';
export { statusCallbackUrls } from './urls.ts';
export { type StatusReadiness, statusCheckReadiness } from './readiness.ts';
