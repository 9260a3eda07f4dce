/**
 * Every menu the simulated router has. A new menu is a file of `MenuDef`s beside this one and one
 * line here; print/add/set/remove then work for it over the API, REST and scripts alike.
 */
import { HOTSPOT_MENUS } from './hotspot.ts';
import { PPP_MENUS } from './ppp.ts';
import { SYSTEM_MENUS } from './system.ts';
import type { MenuDef } from './types.ts';

export const MENUS: MenuDef[] = [...HOTSPOT_MENUS, ...SYSTEM_MENUS, ...PPP_MENUS];

const MENU_BY_PATH = new Map(MENUS.map((m) => [m.path, m]));

/** Menu commands the simulator answers, by menu. */
export function menuOf(path: string): MenuDef | undefined {
  return MENU_BY_PATH.get(path);
}
