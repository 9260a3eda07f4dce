import { healthModule } from '../health/module.ts';
import { paymentsModule } from '../payments/module.ts';
import { darajaSimModule } from '../sim/daraja/module.ts';
import type { Module } from './module.ts';

/** Every feature of the app, in mount order. Add a feature by adding its module here. */
export const modules: Module[] = [healthModule, paymentsModule, darajaSimModule()];
