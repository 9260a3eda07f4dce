/**
 * Who may call what: THE table. Every admin route is listed here with the roles allowed to call
 * it; the server refuses to start if a route is missing from it (or listed here but not defined),
 * and the allow/deny test calls every route as every role against its own copy of these rules.
 *
 *   public     — no sign-in (setup, login)
 *   signed-in  — any role (own account)
 *   [roles]    — only these roles
 */
import type { AdminRole } from '../db/schema.ts';

export type Access = 'public' | 'signed-in' | readonly AdminRole[];

const ALL = ['owner', 'admin', 'cashier', 'viewer'] as const;
/** Selling and helping customers at the counter. */
const SALES = ['owner', 'admin', 'cashier'] as const;
/** Running the business: plans, routers, revocations, reports. */
const MANAGE = ['owner', 'admin'] as const;
/** Money settings and staff accounts. */
const OWNER = ['owner'] as const;

export const POLICY = {
  'GET /api/admin/setup': 'public',
  'POST /api/admin/setup': 'public',
  'POST /api/admin/login': 'public',
  'POST /api/admin/logout': 'signed-in',
  'GET /api/admin/me': 'signed-in',
  'POST /api/admin/me/password': 'signed-in',

  'GET /api/admin/dashboard': ALL,

  'GET /api/admin/plans': ALL,
  'POST /api/admin/plans': MANAGE,
  'PATCH /api/admin/plans/:id': MANAGE,
  'DELETE /api/admin/plans/:id': MANAGE,

  // PPPoE subscribers: the counter adds and edits them; cutting one off or re-pricing is management.
  'GET /api/admin/subscribers': ALL,
  'POST /api/admin/subscribers': SALES,
  'POST /api/admin/subscribers/import': MANAGE,
  'GET /api/admin/subscribers/report': MANAGE,
  'GET /api/admin/subscribers/:id': ALL,
  'PATCH /api/admin/subscribers/:id': SALES,
  'POST /api/admin/subscribers/:id/suspend': MANAGE,
  'POST /api/admin/subscribers/:id/resume': MANAGE,
  'POST /api/admin/subscribers/:id/resend': MANAGE,
  'POST /api/admin/subscribers/:id/close': MANAGE,
  'GET /api/admin/subscribers/:id/plan-change': ALL,
  'POST /api/admin/subscribers/:id/plan': MANAGE,
  'GET /api/admin/service-plans': ALL,
  'POST /api/admin/service-plans': MANAGE,
  'PATCH /api/admin/service-plans/:id': MANAGE,
  'DELETE /api/admin/service-plans/:id': MANAGE,

  'GET /api/admin/purchases': ALL,
  'GET /api/admin/purchases/:id': ALL,
  'POST /api/admin/purchases/:id/retry-grant': SALES,
  'POST /api/admin/purchases/:id/resend-code': SALES,
  'POST /api/admin/purchases/cash': SALES,

  'GET /api/admin/codes': ALL,
  'GET /api/admin/codes/:id': ALL,
  'POST /api/admin/codes/:id/revoke': MANAGE,

  'GET /api/admin/vouchers/batches': ALL,
  'POST /api/admin/vouchers/batches': SALES,
  'POST /api/admin/vouchers/import': MANAGE,
  'GET /api/admin/vouchers/stock': ALL,
  'POST /api/admin/vouchers/sell-cash': SALES,
  'GET /api/admin/vouchers/batches/:id/print': SALES,
  'GET /api/admin/vouchers/batches/:id/print.pdf': SALES,
  'GET /api/admin/vouchers/batches/:id/print.escpos': SALES,
  'GET /api/admin/codes/:id/print': SALES,
  'GET /api/admin/codes/:id/print.escpos': SALES,
  'GET /api/admin/vouchers/batches/:id/export.csv': MANAGE,
  'POST /api/admin/vouchers/batches/:id/disable': MANAGE,
  'PATCH /api/admin/vouchers/batches/:id': MANAGE,
  'DELETE /api/admin/vouchers/batches/:id': MANAGE,

  'GET /api/admin/sessions': ALL,
  'POST /api/admin/sessions/:id/disconnect': MANAGE,

  'GET /api/admin/customers': ALL,
  'GET /api/admin/customers/:id': ALL,
  'PUT /api/admin/customers/:id/reminders': SALES,

  'GET /api/admin/routers': ALL,
  'POST /api/admin/routers': MANAGE,
  'PATCH /api/admin/routers/:id': MANAGE,
  'DELETE /api/admin/routers/:id': MANAGE,
  'POST /api/admin/routers/:id/test': MANAGE,
  'GET /api/admin/routers/:id/script': MANAGE,

  'GET /api/admin/settings': MANAGE,
  'PUT /api/admin/settings/mpesa': OWNER,
  'PUT /api/admin/settings/sms': OWNER,
  'PUT /api/admin/settings/ppp': OWNER,
  'POST /api/admin/settings/mpesa/pull': OWNER,
  'POST /api/admin/settings/mpesa/test': OWNER,
  'POST /api/admin/settings/mpesa/register-urls': OWNER,
  'POST /api/admin/settings/sms/test': OWNER,
  'PUT /api/admin/settings/branding': MANAGE,
  'GET /api/admin/settings/voucher-template': MANAGE,
  'PUT /api/admin/settings/voucher-template': MANAGE,
  'POST /api/admin/settings/voucher-template/preview': MANAGE,

  'GET /api/admin/staff': OWNER,
  'POST /api/admin/staff': OWNER,
  'PATCH /api/admin/staff/:id': OWNER,

  'GET /api/admin/audit': MANAGE,

  'GET /api/admin/troubleshoot': SALES,
  'POST /api/admin/codes/:id/extend': SALES,
  'POST /api/admin/codes/:id/free-device': SALES,
  'GET /api/admin/reports/reconciliation': MANAGE,
  'POST /api/admin/reports/reconciliation/fix': MANAGE,
  'GET /api/admin/alerts': MANAGE,
  'PUT /api/admin/settings/alerts': OWNER,

  'GET /api/admin/payment-accounts': MANAGE,
  'POST /api/admin/payment-accounts': OWNER,
  'PATCH /api/admin/payment-accounts/:id': OWNER,
  'POST /api/admin/payment-accounts/:id/test': OWNER,
  'POST /api/admin/payment-accounts/:id/register-urls': OWNER,
  'POST /api/admin/payment-accounts/:id/pull': OWNER,

  'GET /api/admin/first-run': MANAGE,
  'POST /api/admin/first-run': OWNER,

  'GET /api/admin/exports/purchases.csv': MANAGE,
  'GET /api/admin/exports/customers.csv': MANAGE,
} satisfies Record<string, Access>;

/** A route key of the table, e.g. `POST /api/admin/plans`: what the SPA asks `can()` about. */
export type Permission = keyof typeof POLICY;

/** The table looked up by a key that may not be in it (a route being checked at start). */
export const accessOf = (key: string): Access | undefined =>
  Object.hasOwn(POLICY, key) ? (POLICY as Record<string, Access>)[key] : undefined;

export function allows(access: Access, role: AdminRole | null): boolean {
  if (access === 'public') return true;
  if (role === null) return false;
  return access === 'signed-in' || access.includes(role);
}

/**
 * Who may read a code on screen: whoever may print a batch sheet, which shows every code anyway.
 * Everyone else sees codes masked (maskCode) in lists and details.
 */
export const mayReadCodes = (role: AdminRole | null): boolean =>
  allows(POLICY['GET /api/admin/vouchers/batches/:id/print'], role);

/**
 * Every route key this role may call, sent to the dashboard with the account (`/me`, sign-in) so
 * it shows only the pages and buttons the server would allow: the table stays the one list.
 */
export function permissionsOf(role: AdminRole): Permission[] {
  return (Object.keys(POLICY) as Permission[]).filter((k) => allows(POLICY[k], role));
}
