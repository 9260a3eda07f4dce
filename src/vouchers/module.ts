import type { Module } from '../app/module.ts';

/**
 * Vouchers have no routes of their own: they hand out codes, so the admin feature mounts them
 * behind its login, roles and CSRF checks (src/admin/http/voucher-routes.ts).
 */
export const vouchersModule: Module = {
  name: 'vouchers',
};
