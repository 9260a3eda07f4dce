/** Dispatches one RouterOS command (`/menu/path/verb` + attributes) onto the simulated router. */
import type { Row } from '../../protocols/routeros/types.ts';
import { menuOf } from './menus/index.ts';
import type { SimRouter } from './router.ts';
import { SimTrap } from './store.ts';

export interface CommandResult {
  rows: Row[];
  ret?: string;
}

export function splitCommand(command: string): { menu: string; verb: string } {
  const i = command.lastIndexOf('/');
  return { menu: command.slice(0, i), verb: command.slice(i + 1) };
}

type Verb = (r: SimRouter, attrs: Row) => CommandResult;

/** Commands of one menu beyond print/add/set/remove, by `menu/verb`. */
const MENU_VERBS: Record<string, Verb> = {
  '/ip/hotspot/active/login': (r, rest) => {
    if (!rest.ip) throw new SimTrap('missing value of ip', 1);
    if (!rest.user) throw new SimTrap('missing value of user', 1);
    const res = r.login({
      user: rest.user,
      password: rest.password ?? '',
      ip: rest.ip,
      ...(rest['mac-address'] ? { mac: rest['mac-address'] } : {}),
      by: 'http-pap',
    });
    if (!res.ok) throw new SimTrap(res.error, 4);
    return { rows: [] };
  },
  '/ip/hotspot/user/reset-counters': (r, rest) => {
    r.resetCounters(rest);
    return { rows: [] };
  },
};

export function executeCommand(
  r: SimRouter,
  command: string,
  attrs: Row,
  queries: string[] = [],
  proplist?: string,
): CommandResult {
  const { menu, verb } = splitCommand(command);
  if (!menuOf(menu)) throw new SimTrap('no such command prefix', 0);
  r.tick();
  const { '.proplist': pl, ...rest } = attrs;
  switch (verb) {
    case 'print':
    case 'getall':
      return r.print(menu, rest, queries, proplist ?? pl);
    case 'add':
      return { rows: [], ret: r.add(menu, rest) };
    case 'set':
      r.set(menu, rest);
      return { rows: [] };
    case 'remove':
      r.remove(menu, rest);
      return { rows: [] };
  }
  const special = MENU_VERBS[`${menu}/${verb}`];
  if (special) return special(r, rest);
  throw new SimTrap(`no such command or directory (${verb})`, 0);
}
