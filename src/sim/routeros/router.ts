/**
 * The simulated router's state: RouterOS menus (hotspot users, profiles, sessions, hosts,
 * ip-bindings, walled garden, cookies, identity, resource) and the generic menu commands
 * (print/add/set/remove) with RouterOS's messages, defaults and value formats. The API server and
 * the REST/HTTP façade both drive this one object, so they cannot disagree.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Row } from '../../protocols/routeros/types.ts';
import { matchesQuery, QueryError } from './query.ts';
import { PPP_MENUS } from './ppp-menus.ts';
import {
  formatDuration,
  MAC_RE,
  parseBool,
  parseBytes,
  parseDuration,
} from '../../protocols/routeros/values.ts';

export class SimTrap extends Error {
  constructor(
    message: string,
    readonly category?: number,
  ) {
    super(message);
  }
}

type Kind = 'text' | 'duration' | 'bytes' | 'bool' | 'mac' | 'int' | 'enum' | 'list';
interface Field {
  kind: Kind;
  default?: string;
  values?: string[];
  /** Value must name an item of this menu (e.g. a user's profile). */
  ref?: string;
}
interface MenuDef {
  path: string;
  fields: Record<string, Field>;
  readOnly?: Record<string, string>;
  /** Property that must be unique and may be used in place of `.id`. */
  key?: string;
  duplicateMessage?: string;
  singleton?: boolean;
  /** Menus whose items are created by the router only (no add). */
  noAdd?: boolean;
}

const T = (def?: string): Field => ({ kind: 'text', ...(def !== undefined ? { default: def } : {}) });
const B = (def = 'false'): Field => ({ kind: 'bool', default: def });

const MENUS: MenuDef[] = [
  {
    path: '/ip/hotspot',
    key: 'name',
    fields: {
      name: T(),
      interface: T(),
      'address-pool': T('none'),
      profile: { kind: 'text', default: 'default', ref: '/ip/hotspot/profile' },
      'idle-timeout': { kind: 'duration', default: '5m' },
      'keepalive-timeout': T('none'),
      'login-timeout': T('none'),
      'addresses-per-mac': T('2'),
      disabled: B(),
    },
  },
  {
    path: '/ip/hotspot/profile',
    key: 'name',
    fields: {
      name: T(),
      'hotspot-address': T(),
      'dns-name': T(''),
      'html-directory': T('hotspot'),
      'html-directory-override': T(''),
      'login-by': { kind: 'list', default: 'cookie,http-chap' },
      'http-cookie-lifetime': { kind: 'duration', default: '3d' },
      'use-radius': B(),
      'radius-accounting': B('true'),
      'radius-interim-update': T('received'),
      'radius-mac-format': T('XX:XX:XX:XX:XX:XX'),
      'nas-port-type': T('wireless-802.11'),
      'rate-limit': T(''),
      'split-user-domain': B(),
      'https-redirect': B('true'),
      'ssl-certificate': T('none'),
      'trial-uptime-limit': { kind: 'duration', default: '30m' },
      'trial-uptime-reset': { kind: 'duration', default: '1d' },
      'trial-user-profile': T('default'),
      'smtp-server': T('0.0.0.0'),
      'http-proxy': T('0.0.0.0:0'),
      'install-hotspot-queue': B(),
    },
  },
  {
    path: '/ip/hotspot/user/profile',
    key: 'name',
    fields: {
      name: T(),
      'rate-limit': T(''),
      'shared-users': T('1'),
      'session-timeout': { kind: 'duration', default: '0s' },
      'idle-timeout': T('none'),
      'keepalive-timeout': { kind: 'duration', default: '2m' },
      'status-autorefresh': { kind: 'duration', default: '1m' },
      'add-mac-cookie': B('true'),
      'mac-cookie-timeout': { kind: 'duration', default: '3d' },
      'address-pool': T('none'),
      'address-list': T(''),
      'transparent-proxy': B(),
      'open-status-page': T('always'),
      'on-login': T(''),
      'on-logout': T(''),
      'parent-queue': T('none'),
      'queue-type': T('default-small'),
      comment: T(),
    },
  },
  {
    path: '/ip/hotspot/user',
    key: 'name',
    duplicateMessage: 'failure: already have user with this name for this server',
    fields: {
      name: T(),
      password: T(),
      profile: { kind: 'text', default: 'default', ref: '/ip/hotspot/user/profile' },
      server: T('all'),
      'limit-uptime': { kind: 'duration' },
      'limit-bytes-in': { kind: 'bytes' },
      'limit-bytes-out': { kind: 'bytes' },
      'limit-bytes-total': { kind: 'bytes' },
      'mac-address': { kind: 'mac' },
      address: T(),
      email: T(),
      routes: T(),
      comment: T(),
      disabled: B(),
    },
    readOnly: {
      uptime: '0s',
      'bytes-in': '0',
      'bytes-out': '0',
      'packets-in': '0',
      'packets-out': '0',
      dynamic: 'false',
    },
  },
  {
    path: '/ip/hotspot/active',
    noAdd: true,
    fields: { comment: T() },
  },
  {
    path: '/ip/hotspot/host',
    noAdd: true,
    fields: { comment: T() },
  },
  {
    path: '/ip/hotspot/cookie',
    noAdd: true,
    fields: {},
  },
  {
    path: '/ip/hotspot/ip-binding',
    fields: {
      'mac-address': { kind: 'mac' },
      address: T(),
      'to-address': T(),
      server: T('all'),
      type: { kind: 'enum', default: 'regular', values: ['regular', 'bypassed', 'blocked'] },
      comment: T(),
      disabled: B(),
    },
  },
  {
    path: '/ip/hotspot/walled-garden',
    fields: {
      action: { kind: 'enum', default: 'allow', values: ['allow', 'deny'] },
      'dst-host': T(),
      'dst-port': T(),
      path: T(),
      method: T(),
      server: T(),
      'src-address': T(),
      comment: T(),
      disabled: B(),
    },
  },
  {
    path: '/ip/hotspot/walled-garden/ip',
    fields: {
      action: { kind: 'enum', default: 'accept', values: ['accept', 'drop', 'reject'] },
      'dst-address': T(),
      'dst-address-list': T(),
      'dst-host': T(),
      'dst-port': T(),
      protocol: T(),
      server: T(),
      'src-address': T(),
      'src-address-list': T(),
      comment: T(),
      disabled: B(),
    },
  },
  { path: '/system/identity', singleton: true, fields: { name: T('MikroTik') } },
  { path: '/system/resource', singleton: true, fields: {} },
  ...PPP_MENUS,
];

const MENU_BY_PATH = new Map(MENUS.map((m) => [m.path, m]));
/** Lost on reboot: the router rebuilds them from traffic. */
const VOLATILE = new Set(['/ip/hotspot/active', '/ip/hotspot/host', '/ip/hotspot/cookie', '/ppp/active']);

/** Menu commands the simulator answers, by menu. */
export function menuOf(path: string): MenuDef | undefined {
  return MENU_BY_PATH.get(path);
}
export const MENU_PATHS = MENUS.map((m) => m.path);

interface ActiveMeta {
  loginAt: number;
  bytesIn: number;
  bytesOut: number;
  /** Up to when steady traffic (`trafficPerSecond`) has been added. */
  accruedAt: number;
}

export interface SimRouterOptions {
  identity?: string;
  /** Emulated RouterOS version, e.g. `7.19.4`, `6.44.6`, `6.42.12`: picks login method and `!empty`. */
  version?: string;
  /** Management users (API/REST logins). */
  users?: { name: string; password: string }[];
  /** Milliseconds since the epoch; tests pass a controllable one. */
  now?: () => number;
  /** Steady traffic on every live session, per second of the router's clock (default none). */
  trafficPerSecond?: { bytesIn: number; bytesOut: number };
}

export type LoginResult = { ok: true; id: string } | { ok: false; error: string; key: string };

export class SimRouter {
  readonly version: string;
  readonly users: Map<string, string>;
  readonly now: () => number;
  private items = new Map<string, Map<string, Row>>();
  private nextId = new Map<string, number>();
  private activeMeta = new Map<string, ActiveMeta>();
  private bootAt: number;
  /** CHAP challenges handed out per client IP, checked at /login. */
  readonly chap = new Map<string, { id: Buffer; challenge: Buffer }>();
  private readonly initialIdentity: string;
  /** Bytes every live session moves per second (upload, download); change it at any time. */
  trafficPerSecond: { bytesIn: number; bytesOut: number };

  constructor(o: SimRouterOptions = {}) {
    this.trafficPerSecond = o.trafficPerSecond ?? { bytesIn: 0, bytesOut: 0 };
    this.version = o.version ?? '7.19.4';
    this.users = new Map((o.users ?? [{ name: 'admin', password: '' }]).map((u) => [u.name, u.password]));
    this.now = o.now ?? Date.now;
    this.bootAt = this.now();
    this.initialIdentity = o.identity ?? 'MikroTik';
    this.loadDefaults();
  }

  /** Version as a comparable number: 6.45.1 → 6.045001. */
  versionAtLeast(v: string): boolean {
    const n = (s: string) =>
      s
        .split(/[^\d]+/)
        .slice(0, 3)
        .reduce((acc, p, i) => acc + Number(p || 0) / 1000 ** i, 0);
    return n(this.version) >= n(v);
  }

  private loadDefaults(): void {
    this.items = new Map(MENUS.map((m) => [m.path, new Map()]));
    this.nextId = new Map();
    this.activeMeta.clear();
    this.chap.clear();
    this.insert('/ip/hotspot/profile', { name: 'default', default: 'true' });
    this.insert('/ip/hotspot/profile', {
      name: 'hsprof1',
      'hotspot-address': '10.5.50.1',
      'login-by': 'cookie,http-chap,http-pap',
    });
    this.insert('/ip/hotspot', {
      name: 'hotspot1',
      interface: 'bridge',
      profile: 'hsprof1',
      'address-pool': 'hs-pool-1',
    });
    this.insert('/ip/hotspot/user/profile', { name: 'default', default: 'true' });
    // Every RouterOS shows this built-in user; tools that list vouchers must skip it.
    this.insert('/ip/hotspot/user', { name: 'default-trial', dynamic: 'true', default: 'true' });
    this.insert('/system/identity', { name: this.initialIdentity });
  }

  /** Power cycle: live sessions, hosts and cookies are gone; configuration stays. */
  reboot(): void {
    // Dynamic entries are numbered from *1 again after a boot, as on a real router: a poller
    // that keys sessions by `.id` alone would take a new session for an old one.
    for (const p of VOLATILE) {
      this.items.get(p)!.clear();
      this.nextId.delete(p);
    }
    this.activeMeta.clear();
    this.chap.clear();
    this.bootAt = this.now();
  }

  /** Configuration reset: everything but the management users is back to defaults. */
  reset(): void {
    this.loadDefaults();
    this.bootAt = this.now();
  }

  /**
   * The configuration as flash keeps it (users, profiles, bindings, ...): what survives a power
   * cut. Live sessions, hosts and cookies are not part of it.
   */
  exportConfig(): { items: Record<string, Row[]>; nextId: Record<string, number> } {
    const items: Record<string, Row[]> = {};
    for (const [path, t] of this.items) {
      if (VOLATILE.has(path)) continue;
      items[path] = [...t.values()].map((r) => ({ ...r }));
    }
    return { items, nextId: Object.fromEntries(this.nextId) };
  }

  /** Boot from saved configuration (see exportConfig). */
  importConfig(c: { items: Record<string, Row[]>; nextId: Record<string, number> }): void {
    for (const [path, rows] of Object.entries(c.items)) {
      const t = this.table(path);
      t.clear();
      for (const r of rows) t.set(r['.id']!, { ...r });
    }
    for (const [path, n] of Object.entries(c.nextId)) this.nextId.set(path, n);
  }

  get uptimeSeconds(): number {
    return Math.floor((this.now() - this.bootAt) / 1000);
  }

  // ---------------------------------------------------------------- generic menu plumbing

  private table(path: string): Map<string, Row> {
    const t = this.items.get(path);
    if (!t) throw new SimTrap('no such command prefix', 0);
    return t;
  }

  private insert(path: string, values: Row): string {
    const menu = MENU_BY_PATH.get(path)!;
    const n = (this.nextId.get(path) ?? 0) + 1;
    this.nextId.set(path, n);
    const id = `*${n.toString(16).toUpperCase()}`;
    const row: Row = { '.id': id };
    for (const [k, f] of Object.entries(menu.fields)) if (f.default !== undefined) row[k] = f.default;
    Object.assign(row, menu.readOnly ?? {}, values);
    this.table(path).set(id, row);
    return id;
  }

  /** Rows as print shows them (computed fields filled in). */
  list(path: string): Row[] {
    this.tick();
    if (path === '/system/resource') return [this.resource()];
    const rows = [...this.table(path).values()];
    if (path === '/ip/hotspot/active') return rows.map((r) => this.activeView(r));
    return rows.map((r) => ({ ...r }));
  }

  print(path: string, attrs: Row, queries: string[], proplist?: string): { rows: Row[]; ret?: string } {
    let rows: Row[];
    try {
      rows = this.list(path).filter((r) => matchesQuery(r, queries));
    } catch (e) {
      if (e instanceof QueryError) throw new SimTrap(e.message, 5);
      throw e;
    }
    if ('count-only' in attrs) return { rows: [], ret: String(rows.length) };
    const props = proplist?.split(',').filter(Boolean);
    if (props?.length) {
      rows = rows.map((r) => {
        const o: Row = {};
        for (const p of props) if (r[p] !== undefined) o[p] = r[p];
        return o;
      });
    }
    // Singleton menus print their one item without an .id
    if (MENU_BY_PATH.get(path)?.singleton) rows = rows.map(({ '.id': _id, ...r }) => r);
    return { rows };
  }

  private normalize(menu: MenuDef, name: string, raw: string): string {
    const f = menu.fields[name];
    if (!f) {
      if (name in (menu.readOnly ?? {})) throw new SimTrap(`${name} is read-only`, 1);
      throw new SimTrap(`unknown parameter ${name}`, 1);
    }
    const bad = () => new SimTrap(`invalid value for argument ${name}`, 1);
    switch (f.kind) {
      case 'duration': {
        const s = parseDuration(raw);
        if (s === null) throw bad();
        return formatDuration(s);
      }
      case 'bytes': {
        const b = parseBytes(raw);
        if (b === null) throw bad();
        return String(b);
      }
      case 'bool': {
        const b = parseBool(raw);
        if (b === null) throw bad();
        return String(b);
      }
      case 'mac':
        if (!MAC_RE.test(raw)) throw bad();
        return raw.toUpperCase();
      case 'enum':
        if (!f.values!.includes(raw)) throw new SimTrap(`input does not match any value of ${name}`, 1);
        return raw;
      default:
        if (f.ref && !this.findByKey(f.ref, raw)) {
          throw new SimTrap(`input does not match any value of ${name}`, 1);
        }
        return raw;
    }
  }

  private findByKey(path: string, value: string): Row | undefined {
    const menu = MENU_BY_PATH.get(path)!;
    for (const r of this.table(path).values()) if (menu.key && r[menu.key] === value) return r;
    return undefined;
  }

  /** Ids from `.id`/`numbers`: comma list of `*N` ids or, where the menu has a key, names. */
  resolveIds(path: string, attrs: Row): string[] {
    const menu = MENU_BY_PATH.get(path)!;
    const spec = attrs['.id'] ?? attrs.numbers;
    if (spec === undefined || spec === '') throw new SimTrap('no such item', 1);
    const t = this.table(path);
    return spec.split(',').map((one) => {
      if (t.has(one)) return one;
      const byName = menu.key ? this.findByKey(path, one) : undefined;
      if (byName) return byName['.id']!;
      throw new SimTrap(this.versionAtLeast('7.0') ? 'no such item (4)' : 'no such item', 1);
    });
  }

  add(path: string, attrs: Row): string {
    const menu = MENU_BY_PATH.get(path)!;
    if (menu.noAdd || menu.singleton) throw new SimTrap('no such command or directory (add)', 0);
    const values: Row = {};
    for (const [k, v] of Object.entries(attrs)) values[k] = this.normalize(menu, k, v);
    if (menu.key) {
      const name = values[menu.key];
      if (!name) throw new SimTrap(`failure: ${menu.key} must be set`, 1);
      if (this.findByKey(path, name)) {
        throw new SimTrap(menu.duplicateMessage ?? `failure: item with such name already exists`, 1);
      }
    }
    return this.insert(path, values);
  }

  set(path: string, attrs: Row): void {
    const menu = MENU_BY_PATH.get(path)!;
    const { '.id': _id, numbers: _n, ...rest } = attrs;
    if (menu.singleton) {
      const row = [...this.table(path).values()][0]!;
      for (const [k, v] of Object.entries(rest)) row[k] = this.normalize(menu, k, v);
      return;
    }
    const ids = this.resolveIds(path, attrs);
    const values: Row = {};
    for (const [k, v] of Object.entries(rest)) values[k] = this.normalize(menu, k, v);
    for (const id of ids) {
      if (menu.key && values[menu.key]) {
        const other = this.findByKey(path, values[menu.key]!);
        if (other && other['.id'] !== id)
          throw new SimTrap(menu.duplicateMessage ?? 'failure: duplicate name', 1);
      }
      Object.assign(this.table(path).get(id)!, values);
    }
  }

  remove(path: string, attrs: Row): void {
    const menu = MENU_BY_PATH.get(path)!;
    if (menu.singleton) throw new SimTrap('no such command or directory (remove)', 0);
    const ids = this.resolveIds(path, attrs);
    for (const id of ids) {
      if (path === '/ip/hotspot/active') this.logout(id, 'admin reset');
      else {
        const row = this.table(path).get(id);
        if (row?.default === 'true') throw new SimTrap('failure: cannot remove default item', 1);
        this.table(path).delete(id);
      }
    }
  }

  // ---------------------------------------------------------------- hotspot behaviour

  private resource(): Row {
    return {
      uptime: formatDuration(this.uptimeSeconds),
      version: `${this.version} (stable)`,
      'build-time': '2025-06-01 10:00:00',
      'factory-software': '7.1',
      'free-memory': '812134400',
      'total-memory': '1073741824',
      cpu: 'QEMU',
      'cpu-count': '1',
      'cpu-frequency': '2400',
      'cpu-load': String(this.activeCount() % 100),
      'free-hdd-space': '83886080',
      'total-hdd-space': '134217728',
      'architecture-name': 'x86_64',
      'board-name': 'CHR (simulated)',
      platform: 'MikroTik',
    };
  }

  private activeCount(): number {
    return this.table('/ip/hotspot/active').size;
  }

  private activeView(r: Row): Row {
    const meta = this.activeMeta.get(r['.id']!)!;
    const up = Math.floor((this.now() - meta.loginAt) / 1000);
    const user = this.findByKey('/ip/hotspot/user', r.user!);
    const view: Row = {
      ...r,
      uptime: formatDuration(up),
      'idle-time': '0s',
      'bytes-in': String(meta.bytesIn),
      'bytes-out': String(meta.bytesOut),
      'packets-in': String(Math.ceil(meta.bytesIn / 1000)),
      'packets-out': String(Math.ceil(meta.bytesOut / 1000)),
    };
    const limit = user ? parseDuration(user['limit-uptime'] ?? '0') : 0;
    if (user && limit) view['session-time-left'] = formatDuration(limit - parseDuration(user.uptime!)! - up);
    if (user?.['limit-bytes-total']) view['limit-bytes-total'] = user['limit-bytes-total'];
    return view;
  }

  /** Enforce uptime and traffic limits on live sessions, as the router does continuously. */
  tick(): void {
    const now = this.now();
    for (const meta of this.activeMeta.values()) {
      const secs = (now - meta.accruedAt) / 1000;
      if (secs <= 0) continue;
      meta.bytesIn += Math.round(this.trafficPerSecond.bytesIn * secs);
      meta.bytesOut += Math.round(this.trafficPerSecond.bytesOut * secs);
      meta.accruedAt = now;
    }
    for (const [id, r] of this.table('/ip/hotspot/active')) {
      const user = this.findByKey('/ip/hotspot/user', r.user!);
      if (!user) continue; // deleting a user does not end its session: only an active/remove does
      const meta = this.activeMeta.get(id)!;
      const up = (this.now() - meta.loginAt) / 1000;
      const limit = parseDuration(user['limit-uptime'] ?? '0') ?? 0;
      const bytesLimit = Number(user['limit-bytes-total'] ?? 0);
      const used = Number(user['bytes-in']) + Number(user['bytes-out']) + meta.bytesIn + meta.bytesOut;
      if (limit && parseDuration(user.uptime!)! + up >= limit) this.logout(id, 'uptime limit');
      else if (bytesLimit && used >= bytesLimit) this.logout(id, 'traffic limit');
    }
  }

  /** End a session: its time and bytes move onto the user; the MAC cookie goes too (admin reset). */
  logout(activeId: string, _cause: string): void {
    const t = this.table('/ip/hotspot/active');
    const r = t.get(activeId);
    if (!r) return;
    const meta = this.activeMeta.get(activeId)!;
    const user = this.findByKey('/ip/hotspot/user', r.user!);
    if (user) {
      const up = Math.floor((this.now() - meta.loginAt) / 1000);
      user.uptime = formatDuration(parseDuration(user.uptime!)! + up);
      user['bytes-in'] = String(Number(user['bytes-in']) + meta.bytesIn);
      user['bytes-out'] = String(Number(user['bytes-out']) + meta.bytesOut);
    }
    t.delete(activeId);
    this.activeMeta.delete(activeId);
    const cookies = this.table('/ip/hotspot/cookie');
    for (const [cid, c] of cookies) if (c['mac-address'] === r['mac-address']) cookies.delete(cid);
    const host = [...this.table('/ip/hotspot/host').values()].find(
      (h) => h['mac-address'] === r['mac-address'],
    );
    if (host) host.authorized = 'false';
  }

  /** A device appears on the hotspot network (DHCP lease + first packet). */
  join(mac: string, ip: string): Row {
    const hosts = this.table('/ip/hotspot/host');
    const m = mac.toUpperCase();
    for (const h of hosts.values()) {
      if (h['mac-address'] === m) {
        h.address = ip;
        h['to-address'] = ip;
        return h;
      }
    }
    const id = this.insert('/ip/hotspot/host', {
      'mac-address': m,
      address: ip,
      'to-address': ip,
      server: 'hotspot1',
      authorized: 'false',
      bypassed: 'false',
    });
    return hosts.get(id)!;
  }

  hostByIp(ip: string): Row | undefined {
    return [...this.table('/ip/hotspot/host').values()].find((h) => h.address === ip);
  }

  /** A fresh CHAP id and challenge for a client, as the login page would render them. */
  newChallenge(ip: string): { id: Buffer; challenge: Buffer } {
    const c = { id: randomBytes(1), challenge: randomBytes(16) };
    this.chap.set(ip, c);
    return c;
  }

  /**
   * Log a host in (HTTP-PAP, HTTP-CHAP or `/ip/hotspot/active/login`). Error texts are the stock
   * `errors.txt` ones the login page shows.
   */
  login(o: {
    user: string;
    password: string;
    ip: string;
    mac?: string;
    by: string;
    chap?: boolean;
  }): LoginResult {
    this.tick();
    const fail = (key: string, error: string): LoginResult => ({ ok: false, key, error });
    const user = this.findByKey('/ip/hotspot/user', o.user);
    let passwordOk = false;
    if (user && user.dynamic !== 'true') {
      if (o.chap) {
        const c = this.chap.get(o.ip);
        if (!c)
          return fail(
            'chap-missing',
            'web browser did not send challenge response (try again, enable JavaScript)',
          );
        const expect = createHash('md5')
          .update(Buffer.concat([c.id, Buffer.from(user.password ?? '', 'latin1'), c.challenge]))
          .digest('hex');
        passwordOk = expect === o.password.toLowerCase();
      } else passwordOk = (user.password ?? '') === o.password;
    }
    if (!user || !passwordOk || user.disabled === 'true')
      return fail('invalid-username', 'invalid username or password');
    const host = this.hostByIp(o.ip) ?? (o.mac ? this.join(o.mac, o.ip) : undefined);
    if (!host) return fail('not-logged-in', `you are not logged in (ip ${o.ip})`);
    const mac = host['mac-address']!;
    if (user['mac-address'] && user['mac-address'] !== '00:00:00:00:00:00' && user['mac-address'] !== mac) {
      return fail('invalid-mac', `user ${o.user} is not allowed to log in from this MAC address`);
    }
    const limit = parseDuration(user['limit-uptime'] ?? '0') ?? 0;
    if (limit && parseDuration(user.uptime!)! >= limit)
      return fail('uptime-limit', `user ${o.user} has reached uptime limit`);
    const bytesLimit = Number(user['limit-bytes-total'] ?? 0);
    if (bytesLimit && Number(user['bytes-in']) + Number(user['bytes-out']) >= bytesLimit) {
      return fail('traffic-limit', `user ${o.user} has reached traffic limit`);
    }
    const active = this.table('/ip/hotspot/active');
    for (const [id, a] of active) if (a['mac-address'] === mac) this.logout(id, 'relogin');
    const profile = this.findByKey('/ip/hotspot/user/profile', user.profile ?? 'default');
    const shared = Number(profile?.['shared-users'] ?? 1);
    const mine = [...active.values()].filter((a) => a.user === o.user).length;
    if (shared > 0 && mine >= shared)
      return fail('user-session-limit', `no more sessions are allowed for user ${o.user}`);
    const id = this.insert('/ip/hotspot/active', {
      server: 'hotspot1',
      user: o.user,
      domain: '',
      address: o.ip,
      'mac-address': mac,
      'login-by': o.by,
      radius: 'false',
      blocked: 'false',
    });
    this.activeMeta.set(id, { loginAt: this.now(), bytesIn: 0, bytesOut: 0, accruedAt: this.now() });
    host.authorized = 'true';
    if (profile?.['add-mac-cookie'] !== 'false') {
      this.insert('/ip/hotspot/cookie', {
        user: o.user,
        'mac-address': mac,
        domain: '',
        'expires-in': profile?.['mac-cookie-timeout'] ?? '3d',
      });
    }
    return { ok: true, id };
  }

  /** Traffic through a session (test hook): bytes-in is from the client (upload). */
  addTraffic(mac: string, bytesIn: number, bytesOut: number): void {
    for (const [id, a] of this.table('/ip/hotspot/active')) {
      if (a['mac-address'] === mac.toUpperCase()) {
        const m = this.activeMeta.get(id)!;
        m.bytesIn += bytesIn;
        m.bytesOut += bytesOut;
      }
    }
    this.tick();
  }

  /** A MAC cookie lets a returning device straight back in, as long as its user is still valid. */
  cookieLogin(mac: string, ip: string): LoginResult | null {
    const m = mac.toUpperCase();
    const cookie = [...this.table('/ip/hotspot/cookie').values()].find((c) => c['mac-address'] === m);
    if (!cookie) return null;
    const user = this.findByKey('/ip/hotspot/user', cookie.user!);
    if (!user) return null;
    return this.login({ user: user.name!, password: user.password ?? '', ip, mac: m, by: 'mac-cookie' });
  }

  bypassed(mac: string): boolean {
    const m = mac.toUpperCase();
    return [...this.table('/ip/hotspot/ip-binding').values()].some(
      (b) => b['mac-address'] === m && b.type === 'bypassed' && b.disabled !== 'true',
    );
  }

  resetCounters(attrs: Row): void {
    for (const id of this.resolveIds('/ip/hotspot/user', attrs)) {
      const u = this.table('/ip/hotspot/user').get(id)!;
      Object.assign(u, {
        uptime: '0s',
        'bytes-in': '0',
        'bytes-out': '0',
        'packets-in': '0',
        'packets-out': '0',
      });
    }
  }

  get identity(): string {
    return [...this.table('/system/identity').values()][0]!.name!;
  }
}
