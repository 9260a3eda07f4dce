/**
 * Every feature of the app, in mount order, and the roles each one contributes to. A process
 * imports only the modules of its roles (`wavu radius` never loads the portal or the admin API),
 * which is most of what it costs in memory; `wavu start` runs every role and loads them all.
 * Add a feature by adding its entry here.
 */
import type { Module, Role } from './module.ts';

export interface ModuleEntry {
  name: string;
  /**
   * The roles it has something for: `serve` for routes, `worker` for jobs and schedules, and the
   * roles of its services. test/foundation/modules.test.ts checks this against the module itself.
   */
  roles: readonly Role[];
  /** A simulator: loaded in demo mode only. */
  demoOnly?: boolean;
  load(): Promise<Module>;
}

const ALL: readonly Role[] = ['serve', 'worker', 'radius'];

export const moduleEntries: readonly ModuleEntry[] = [
  { name: 'health', roles: ['serve'], load: async () => (await import('../health/module.ts')).healthModule },
  // Served by the HTTP role; the others serve it on METRICS_PORT when that is set.
  { name: 'metrics', roles: ALL, load: async () => (await import('../metrics/module.ts')).metricsModule },
  {
    name: 'access',
    roles: ['serve', 'worker'],
    load: async () => (await import('../access/module.ts')).accessModule,
  },
  {
    name: 'notify',
    roles: ['serve', 'worker'],
    load: async () => (await import('../notify/module.ts')).notifyModule,
  },
  // No routes, jobs or services of its own (the admin feature mounts its routes).
  { name: 'vouchers', roles: [], load: async () => (await import('../vouchers/module.ts')).vouchersModule },
  // Its service closes router connections on shutdown, in every role.
  { name: 'gateways', roles: ALL, load: async () => (await import('../gateways/module.ts')).gatewaysModule },
  {
    name: 'payments',
    roles: ['serve', 'worker'],
    load: async () => (await import('../payments/module.ts')).paymentsModule,
  },
  {
    name: 'subscriber-paying',
    roles: ['worker'],
    load: async () => (await import('../subscribers/paying-module.ts')).subscriberPayingModule,
  },
  {
    name: 'radius',
    roles: ['worker', 'radius'],
    load: async () => (await import('../radius/module.ts')).radiusModule,
  },
  {
    name: 'subscribers-ppp',
    roles: ['worker'],
    load: async () => (await import('../subscribers/ppp-module.ts')).pppModule,
  },
  {
    name: 'sim-sms',
    roles: ['serve'],
    demoOnly: true,
    load: async () => (await import('../sim/sms-module.ts')).simSmsModule,
  },
  {
    name: 'sim-routeros',
    roles: ['serve', 'worker'],
    demoOnly: true,
    load: async () => (await import('../sim/routeros/module.ts')).routerosSimModule,
  },
  {
    name: 'sim-daraja',
    roles: ['serve'],
    demoOnly: true,
    load: async () => (await import('../sim/daraja/module.ts')).darajaSimModule(),
  },
  { name: 'portal', roles: ['serve'], load: async () => (await import('../portal/module.ts')).portalModule },
  { name: 'alerts', roles: ['worker'], load: async () => (await import('../alerts/module.ts')).alertsModule },
  // Its service (the owner from ADMIN_USERNAME/ADMIN_PASSWORD) runs in every role.
  { name: 'admin', roles: ALL, load: async () => (await import('../admin/module.ts')).adminModule },
];

/**
 * The modules that have something for one of `roles` (every module when `roles` is omitted), in
 * mount order. Simulators only when `demo` is set (production never mounts them); all of them
 * when `demo` is omitted, as the tests that pick their own modules want.
 */
export async function loadModules(o: { roles?: readonly Role[]; demo?: boolean } = {}): Promise<Module[]> {
  const picked = moduleEntries.filter(
    (e) =>
      (o.roles === undefined || e.roles.some((r) => o.roles!.includes(r))) &&
      (!e.demoOnly || o.demo !== false),
  );
  return Promise.all(picked.map((e) => e.load()));
}
