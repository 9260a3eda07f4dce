/** The routers registry: one use case per file, gathered here for callers (CLI, admin API, portal). */
export { addRouter, type AddRouterResult } from './routers/add-router.ts';
export { findRouter, getRouter } from './routers/get-router.ts';
export { listRouters } from './routers/list-routers.ts';
export { removeRouter } from './routers/remove-router.ts';
export { testRouter, type TestRouterResult } from './routers/test-router.ts';
export { updateRouter } from './routers/update-router.ts';
export type { RouterView } from './routers/repo.ts';
export {
  adapterFor,
  registerGatewayMode,
  type GatewayAdapter,
  type AccessSpec,
  type RouterRow,
} from './adapter.ts';
export { rotateAgentToken } from './routers/rotate-agent-token.ts';
export { agentGrantWaiting } from './agent/commands.ts';
export { OFFLINE_AFTER_MS } from './agent/adapter.ts';
