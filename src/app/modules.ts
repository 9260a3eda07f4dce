import { accessModule } from '../access/module.ts';
import { alertsModule } from '../alerts/module.ts';
import { adminModule } from '../admin/module.ts';
import { gatewaysModule } from '../gateways/module.ts';
import { healthModule } from '../health/module.ts';
import { metricsModule } from '../metrics/module.ts';
import { notifyModule } from '../notify/module.ts';
import { paymentsModule } from '../payments/module.ts';
import { portalModule } from '../portal/module.ts';
import { radiusModule } from '../radius/module.ts';
import { darajaSimModule } from '../sim/daraja/module.ts';
import { routerosSimModule } from '../sim/routeros/module.ts';
import { simSmsModule } from '../sim/sms-module.ts';
import { pppModule } from '../subscribers/index.ts';
import { vouchersModule } from '../vouchers/module.ts';
import type { Module } from './module.ts';

/** Every feature of the app, in mount order. Add a feature by adding its module here. */
export const modules: Module[] = [
  healthModule,
  metricsModule,
  accessModule,
  notifyModule,
  vouchersModule,
  gatewaysModule,
  paymentsModule,
  radiusModule,
  pppModule,
  simSmsModule,
  routerosSimModule,
  darajaSimModule(),
  portalModule,
  alertsModule,
  adminModule,
];
