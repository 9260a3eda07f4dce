/**
 * The simulator finds a row by its menu's key (a hotspot user by name) through an index that
 * add, set and remove keep: a rename, a removal and a re-add must read exactly as a scan of the
 * table would, and the name rules (no two users of one name) must still hold.
 */
import { describe, expect, it } from 'vitest';
import { SimRouter } from '../../src/sim/routeros/router.ts';

const USER = '/ip/hotspot/user';

describe('simulated RouterOS key lookups', () => {
  it('follow renames, removals and re-adds', () => {
    const r = new SimRouter();
    for (let i = 0; i < 20; i++) r.add(USER, { name: `u${i}`, password: 'x' });
    const id3 = r.findByKey(USER, 'u3')!['.id']!;
    r.set(USER, { '.id': id3, name: 'renamed' });
    expect(r.findByKey(USER, 'u3')).toBeUndefined();
    expect(r.findByKey(USER, 'renamed')?.['.id']).toBe(id3);
    // The old name is free again, and taken by a new user.
    const again = r.add(USER, { name: 'u3', password: 'y' });
    expect(r.findByKey(USER, 'u3')?.['.id']).toBe(again);
    r.remove(USER, { '.id': r.findByKey(USER, 'u7')!['.id']! });
    expect(r.findByKey(USER, 'u7')).toBeUndefined();
    const u7 = r.add(USER, { name: 'u7', password: 'w' });
    expect(r.findByKey(USER, 'u7')?.['.id']).toBe(u7);
    r.remove(USER, { '.id': u7 });
    expect(r.findByKey(USER, 'u7')).toBeUndefined();
    expect(() => r.add(USER, { name: 'renamed', password: 'z' })).toThrow(/already have user/);
    expect(() => r.set(USER, { '.id': again, name: 'u5' })).toThrow(/already have user/);
    // Removal by name resolves through the same lookup.
    r.remove(USER, { numbers: 'u5' });
    expect(r.findByKey(USER, 'u5')).toBeUndefined();
    const names = r.list(USER).map((u) => u.name);
    for (const n of ['u0', 'u3', 'renamed', 'u19']) expect(r.findByKey(USER, n)?.name).toBe(n);
    expect(names).not.toContain('u7');
    expect(names.filter((n) => n === 'u3')).toHaveLength(1);
  });

  it('start over after a configuration reset', () => {
    const r = new SimRouter();
    r.add(USER, { name: 'kept-before-reset', password: 'x' });
    expect(r.findByKey(USER, 'kept-before-reset')).toBeDefined();
    r.reset();
    expect(r.findByKey(USER, 'kept-before-reset')).toBeUndefined();
    r.add(USER, { name: 'kept-before-reset', password: 'x' });
    expect(r.findByKey(USER, 'kept-before-reset')).toBeDefined();
  });
});
