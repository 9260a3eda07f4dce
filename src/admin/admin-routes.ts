import { accountRoutes } from './http/account-routes.ts';
import { authRoutes } from './http/auth-routes.ts';
import { firstRunRoutes } from './http/first-run-routes.ts';
import { dashboardRoutes } from './http/dashboard-routes.ts';
import { planRoutes } from './http/plan-routes.ts';
import { purchaseRoutes } from './http/purchase-routes.ts';
import { codeRoutes } from './http/code-routes.ts';
import { sessionRoutes } from './http/session-routes.ts';
import { customerRoutes } from './http/customer-routes.ts';
import { settingsRoutes } from './http/settings-routes.ts';
import { staffRoutes } from './http/staff-routes.ts';
import { auditRoutes } from './http/audit-routes.ts';
import { opsRoutes } from './http/ops-routes.ts';
import type { AdminRoute } from './http/route.ts';
import { routerRoutes } from './http/router-routes.ts';
import { subscriberRoutes } from './http/subscriber-routes.ts';
import { voucherRoutes } from './http/voucher-routes.ts';

/** Every /api/admin route. Features that land later add theirs here (and to POLICY). */
export const adminRoutes: AdminRoute[] = [
  ...authRoutes,
  ...dashboardRoutes,
  ...planRoutes,
  ...purchaseRoutes,
  ...codeRoutes,
  ...sessionRoutes,
  ...customerRoutes,
  ...settingsRoutes,
  ...staffRoutes,
  ...auditRoutes,
  ...voucherRoutes,
  ...routerRoutes,
  ...opsRoutes,
  ...accountRoutes,
  ...firstRunRoutes,
  ...subscriberRoutes,
];
