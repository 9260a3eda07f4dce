/**
 * The PPP menus of the simulated router: `/ppp/profile`, `/ppp/secret` and `/ppp/active`, as
 * RouterOS 7 names their fields. `/ppp/active` takes `add` here (a real router only fills it
 * from dialled sessions): a test or the demo adds an entry to stand for a subscriber who dialled.
 */
/** The shape router.ts's menu table takes (its MenuDef), written out so this file imports nothing back. */
interface PppField {
  kind: 'text' | 'bool';
  default?: string;
  ref?: string;
}
interface PppMenu {
  path: string;
  key?: string;
  duplicateMessage?: string;
  fields: Record<string, PppField>;
  readOnly?: Record<string, string>;
}

const T = (def?: string): PppField => ({ kind: 'text', ...(def !== undefined ? { default: def } : {}) });
const B = (def = 'false'): PppField => ({ kind: 'bool', default: def });

export const PPP_MENUS: PppMenu[] = [
  {
    path: '/ppp/profile',
    key: 'name',
    fields: {
      name: T(),
      'local-address': T(''),
      'remote-address': T(''),
      'rate-limit': T(''),
      'dns-server': T(''),
      'only-one': T('default'),
      'use-encryption': T('default'),
      comment: T(),
    },
  },
  {
    path: '/ppp/secret',
    key: 'name',
    duplicateMessage: 'failure: secret with the same name already exists',
    fields: {
      name: T(),
      password: T(),
      service: T('any'),
      profile: { kind: 'text', default: 'default', ref: '/ppp/profile' },
      'local-address': T(''),
      'remote-address': T(''),
      'caller-id': T(''),
      comment: T(),
      disabled: B(),
    },
    readOnly: { 'last-logged-out': '', 'last-caller-id': '' },
  },
  {
    path: '/ppp/active',
    fields: {
      name: T(),
      service: T('pppoe'),
      'caller-id': T(''),
      address: T(''),
      uptime: T('0s'),
      encoding: T(''),
      'session-id': T(''),
      comment: T(),
    },
  },
];
