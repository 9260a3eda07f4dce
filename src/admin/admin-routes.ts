import { accountRoutes } from './http/account-routes.ts';
import { authRoutes } from './http/auth-routes.ts';
import { firstRunRoutes } from './http/first-run-routes.ts';
import { apiRoutes } from './http/api-routes.ts';
import { opsRoutes } from './http/ops-routes.ts';
import type { AdminRoute } from './http/route.ts';
import { routerRoutes } from './http/router-routes.ts';
import { voucherRoutes } from './http/voucher-routes.ts';

/** Every /api/admin route. Features that land later add theirs here (and to POLICY). */
export const adminRoutes: AdminRoute[] = [
  ...authRoutes,
  ...apiRoutes,
  ...voucherRoutes,
  ...routerRoutes,
  ...opsRoutes,
  ...accountRoutes,
  ...firstRunRoutes,
];
