/**
 * How a RouterOS menu is described to the simulator: its fields with their value kinds and
 * defaults, which property names an item, and what a fresh router holds. The generic commands
 * (print/add/set/remove, store.ts) work from this alone.
 */
import type { Row } from '../../../protocols/routeros/types.ts';

export type Kind = 'text' | 'duration' | 'bytes' | 'bool' | 'mac' | 'int' | 'enum' | 'list';
export interface Field {
  kind: Kind;
  default?: string;
  values?: string[];
  /** Value must name an item of this menu (e.g. a user's profile). */
  ref?: string;
}
export interface MenuDef {
  path: string;
  fields: Record<string, Field>;
  readOnly?: Record<string, string>;
  /** Property that must be unique and may be used in place of `.id`. */
  key?: string;
  duplicateMessage?: string;
  singleton?: boolean;
  /** Menus whose items are created by the router only (no add). */
  noAdd?: boolean;
  /** Live state lost on reboot (the router rebuilds it from traffic); numbered from *1 again. */
  volatile?: boolean;
  /** Items a fresh (or reset) router has, in order. */
  seed?: Row[];
}

export const T = (def?: string): Field => ({ kind: 'text', ...(def !== undefined ? { default: def } : {}) });
export const B = (def = 'false'): Field => ({ kind: 'bool', default: def });
