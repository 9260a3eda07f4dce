/**
 * The simulated router: the menus and their generic commands (store.ts, menus/) plus what a
 * RouterOS does on its own: hotspot logins (PAP, CHAP, MAC cookie), live sessions that count
 * uptime and bytes and end at their limits, hosts, reboot and reset. The API server and the
 * REST/HTTP façade both drive this one object, so they cannot disagree.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Row } from '../../protocols/routeros/types.ts';
import { formatDuration, parseDuration } from '../../protocols/routeros/values.ts';
import { MenuStore } from './store.ts';

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

export class SimRouter extends MenuStore {
  readonly users: Map<string, string>;
  readonly now: () => number;
  private activeMeta = new Map<string, ActiveMeta>();
  private bootAt: number;
  /** CHAP challenges handed out per client IP, checked at /login. */
  readonly chap = new Map<string, { id: Buffer; challenge: Buffer }>();
  private readonly initialIdentity: string;
  /** Bytes every live session moves per second (upload, download); change it at any time. */
  trafficPerSecond: { bytesIn: number; bytesOut: number };

  constructor(o: SimRouterOptions = {}) {
    super(o.version ?? '7.19.4');
    this.trafficPerSecond = o.trafficPerSecond ?? { bytesIn: 0, bytesOut: 0 };
    this.users = new Map((o.users ?? [{ name: 'admin', password: '' }]).map((u) => [u.name, u.password]));
    this.now = o.now ?? Date.now;
    this.bootAt = this.now();
    this.initialIdentity = o.identity ?? 'MikroTik';
    this.loadDefaults();
  }

  private loadDefaults(): void {
    this.loadMenus();
    this.activeMeta.clear();
    this.chap.clear();
    this.insert('/system/identity', { name: this.initialIdentity });
  }

  /** Power cycle: live sessions, hosts and cookies are gone; configuration stays. */
  reboot(): void {
    this.clearVolatile();
    this.activeMeta.clear();
    this.chap.clear();
    this.bootAt = this.now();
  }

  /** Configuration reset: everything but the management users is back to defaults. */
  reset(): void {
    this.loadDefaults();
    this.bootAt = this.now();
  }

  get uptimeSeconds(): number {
    return Math.floor((this.now() - this.bootAt) / 1000);
  }

  // ---------------------------------------------------------------- hotspot behaviour

  protected override computed(path: string): Row[] | undefined {
    return path === '/system/resource' ? [this.resource()] : undefined;
  }

  protected override view(path: string, row: Row): Row {
    return path === '/ip/hotspot/active' ? this.activeView(row) : { ...row };
  }

  protected override viewComputes(path: string): boolean {
    return path === '/ip/hotspot/active';
  }

  /** Removing a live session logs it out (its time and bytes move onto the user). */
  protected override removeItem(path: string, id: string): void {
    if (path === '/ip/hotspot/active') this.logout(id, 'admin reset');
    else super.removeItem(path, id);
  }

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
  override tick(): void {
    const now = this.now();
    for (const meta of this.activeMeta.values()) {
      const secs = (now - meta.accruedAt) / 1000;
      if (secs <= 0) continue;
      meta.bytesIn += Math.round(this.trafficPerSecond.bytesIn * secs);
      meta.bytesOut += Math.round(this.trafficPerSecond.bytesOut * secs);
      meta.accruedAt = now;
    }
    // Each session's user by name (an index): a router with thousands of users (the expiry
    // bench) would otherwise spend the whole table on every command.
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
