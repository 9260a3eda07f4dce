import type { Module } from '../app/module.ts';
import { registerVoucherAdminRoutes } from './routes.ts';

export const vouchersModule: Module = {
  name: 'vouchers',
  routes(app, deps) {
    // The routes hand out codes: in production only the admin feature mounts them, behind login.
    if (deps.config.demo) registerVoucherAdminRoutes(app, deps);
  },
};
