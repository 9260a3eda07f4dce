/**
 * app/modules.ts says which roles each module is for, so a process can skip the others without
 * importing them. That list must match the modules themselves: a module given jobs but still
 * listed for `serve` only would have its jobs never run.
 */
import { describe, expect, it } from 'vitest';
import type { Module, Role } from '../../src/app/module.ts';
import { loadModules, moduleEntries } from '../../src/app/modules.ts';

/** The roles a module has something for, read from what it defines. */
function rolesOf(m: Module): Role[] {
  const roles = new Set<Role>();
  if (m.routes) roles.add('serve');
  if (m.jobs || m.recurring) roles.add('worker');
  for (const s of m.services ?? []) for (const r of s.roles) roles.add(r);
  return (['serve', 'worker', 'radius'] as const).filter((r) => roles.has(r));
}

describe('the module list', () => {
  it('gives each module the roles it has routes, jobs or services for, and its demo flag', async () => {
    for (const e of moduleEntries) {
      const m = await e.load();
      expect({ name: m.name, roles: rolesOf(m), demoOnly: !!m.demoOnly }).toEqual({
        name: e.name,
        roles: [...e.roles],
        demoOnly: !!e.demoOnly,
      });
    }
  });

  it('loads the modules of the roles asked for, in mount order, simulators in demo only', async () => {
    const names = async (o: Parameters<typeof loadModules>[0]) => (await loadModules(o)).map((m) => m.name);
    expect(await names({ roles: ['radius'], demo: false })).toEqual([
      'metrics',
      'gateways',
      'radius',
      'admin',
    ]);
    expect(await names({ roles: ['radius'], demo: true })).toEqual([
      'metrics',
      'gateways',
      'radius',
      'admin',
    ]);
    const worker = await names({ roles: ['worker'], demo: false });
    expect(worker).not.toContain('portal');
    expect(worker).toContain('alerts');
    expect(await names({ roles: ['serve'], demo: false })).not.toContain('sim-daraja');
    expect(await names({ roles: ['serve'], demo: true })).toContain('sim-daraja');
    // Every role together (`wavu start`) is every module that does something.
    expect(await names({ roles: ['serve', 'worker', 'radius'], demo: true })).toEqual(
      moduleEntries.filter((e) => e.roles.length > 0).map((e) => e.name),
    );
  });
});
