/** The gateways feature's public surface: other features import from here only. */
export { loadAccess } from './access-specs.ts';
export type {
  AccessSpec,
  ActiveSession,
  GatewayAdapter,
  PppActive,
  PppSecretSpec,
  RevokeItem,
  RouterHealth,
  SessionRef,
} from './adapter.ts';
export { gatewayModes } from './modes.ts';
export { type DevicePresence, deviceOnRouter } from './device-presence.ts';
export { hotspotLoginForm, loginOnRouter } from './hotspot-login.ts';
export { type AddRouterResult, addRouter } from './routers/add-router.ts';
export { type SourceRule, allowFromWarning, sourceRule } from './routers/allow-from.ts';
export { findRouter } from './routers/get-router.ts';
export { assignRoutersToAccount, routerPaymentAccounts } from './routers/payment-account.ts';
export { routerById } from './routers/repo.ts';
export {
  type AddRouterInput,
  type UpdateRouterInput,
  addRouterInput,
  updateRouterInput,
} from './routers/input.ts';
export { routerProblem } from './routers/problem.ts';
export { removeRouter } from './routers/remove-router.ts';
export type { RouterView } from './routers/repo.ts';
export { clearError, markDown, OPNSENSE_NO_API_WARNING, revocationText } from './routers/repo.ts';
export { coaAnswered, coaMarkedUnreachable, coaUnanswered } from './routers/coa-health.ts';
export { routerScript } from './routers/router-script.ts';
export { type TestRouterResult, testRouter } from './routers/test-router.ts';
export { updateRouter } from './routers/update-router.ts';
export { requestSessionsPoll } from './sessions/request-poll.ts';
export { activeSessionsOf, activeSessionsOfCodes } from './sessions/active-sessions.ts';
export { loginHtml, publicUrlWarning } from './setup-script.ts';
export { parseRosTime } from './agent/report.ts';
export { agentGrantWaiting } from './agent/commands.ts';
export { OFFLINE_AFTER_MS } from './agent/adapter.ts';
export { rotateAgentToken } from './routers/rotate-agent-token.ts';
export { getRouter } from './routers/get-router.ts';
export { listRouters } from './routers/list-routers.ts';
export { adapterFor } from './modes.ts';
export { grantPending, grantRequestSql, requestGrant } from './grants.ts';
export { type ConnectWait, connectWait } from './connect-wait.ts';
export { DEFAULT_EXPIRED_POOL, EXPIRED_POOL_SETTING, expiredPoolName } from './ppp-pool.ts';
export { resolveRouterId } from './routers/resolve-router.ts';
export { markSeen as markRouterSeen } from './routers/repo.ts';
export {
  openndsClient,
  openndsLogin,
  openndsLoginState,
  type OpenNdsLoginResult,
} from './opennds/login.ts';
export { type UnifiTicket, unifiGrantState, unifiLogin, unifiTicket } from './unifi/login.ts';
export { type RouterHealthStat, routerHealthStats } from './routers/health-stats.ts';
export { type UserPresence, userOnRouter } from './user-on-router.ts';
export { listRouterUsers, removeRouterUser, type RouterUsers } from './router-users.ts';
export { INTERIM_SECONDS, RADIUS_PROFILES, type RadiusProfile } from './routers/radius-profile.ts';
export {
  DISCONNECT_JOB,
  GRANT_JOB,
  RECONCILE_ROUTER_JOB,
  REFRESH_JOB,
  RELEASE_DEVICE_JOB,
  REVOKE_BATCH_JOB,
  REVOKE_JOB,
  THROTTLE_JOB,
} from './job-kinds.ts';
