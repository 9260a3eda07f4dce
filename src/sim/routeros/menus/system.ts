/** The system menus the simulator answers: identity (named at start) and resource (computed at print). */
import { type MenuDef, T } from './types.ts';

export const SYSTEM_MENUS: MenuDef[] = [
  { path: '/system/identity', singleton: true, fields: { name: T('MikroTik') } },
  { path: '/system/resource', singleton: true, fields: {} },
];
