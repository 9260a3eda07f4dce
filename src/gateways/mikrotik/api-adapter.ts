/**
 * MikroTik in `api` mode: Wavu pushes hotspot users over the RouterOS API (or v7 REST; the same
 * operations). Every write is idempotent — a retried grant updates instead of duplicating, a
 * retried revoke finds nothing left to remove — because jobs can run twice.
 */
import { inWindow } from '../../lib/in-window.ts';
import { groupBy } from '../../lib/group-by.ts';
import { RosTrapError } from '../../protocols/routeros/errors.ts';
import type { Row, RouterOsApi } from '../../protocols/routeros/types.ts';
import { parseDuration } from '../../protocols/routeros/values.ts';
import type {
  AccessSpec,
  ActiveSession,
  GatewayAdapter,
  PppActive,
  PppSecretSpec,
  ReconcileReport,
  ReconcileWrite,
  RevokeItem,
  RouterUser,
  RouterHealth,
  SessionRef,
} from '../adapter.ts';
import { listPppActive, putPppSecret, removePppActive } from './ppp-secrets.ts';
import { accessIdFromComment, profileAttrs, profileName, userAttrs, userComment } from './hotspot-users.ts';

const USER = '/ip/hotspot/user';
const ACTIVE = '/ip/hotspot/active';
const COOKIE = '/ip/hotspot/cookie';
const HOST = '/ip/hotspot/host';
const PROFILE = '/ip/hotspot/user/profile';
const USER_PROPS = [
  '.id',
  'name',
  'password',
  'profile',
  'comment',
  'mac-address',
  'limit-uptime',
  'limit-bytes-total',
  'uptime',
  'bytes-in',
  'bytes-out',
  'disabled',
];

/** Users added or set at once by reconcile: enough to hide the round trip, few enough for a small router. */
const RECONCILE_WINDOW = 8;
/** Ids per `remove` call: a few kB per API word, well within what RouterOS reads. */
const REMOVE_CHUNK = 200;
/**
 * Up to this many codes, a revoke batch looks its users up by query (QUERY_CHUNK codes a print)
 * rather than listing them all: a router with 12,500 users answers a full listing with about a
 * megabyte, a lot over a slow link for every batch of a hundred codes that expired together.
 */
const QUERY_AT_MOST = 200;
const QUERY_CHUNK = 40;
/** What a revoke needs of each user. */
const REVOKE_PROPS = ['.id', 'name', 'comment'];
const PROFILE_PROPS = ['.id', 'name', 'rate-limit', 'shared-users', 'idle-timeout'];

const isNoSuchItem = (e: unknown) => e instanceof RosTrapError && /no such item/.test(e.message);

export class MikrotikApiAdapter implements GatewayAdapter {
  constructor(private readonly api: RouterOsApi) {}

  putPppSecret(secret: PppSecretSpec): Promise<void> {
    return putPppSecret(this.api, secret);
  }

  removePppActive(name: string): Promise<number> {
    return removePppActive(this.api, name);
  }

  listPppActive(): Promise<PppActive[]> {
    return listPppActive(this.api);
  }

  async grant(spec: AccessSpec): Promise<void> {
    await this.ensureProfiles([spec]);
    const users = (
      await this.api.exec(
        `${USER}/print`,
        {},
        {
          query: [`name=${spec.code}`, `comment=${userComment(spec.accessCodeId)}`, '#|'],
          proplist: USER_PROPS,
        },
      )
    ).rows;
    const active = (await this.api.exec(`${ACTIVE}/print`, {}, { query: [`user=${spec.code}`] })).rows;
    await this.applyUser(spec, users, active);
  }

  async hasUser(username: string): Promise<boolean> {
    const q = await this.api.exec(`${USER}/print`, {}, { query: [`name=${username}`], proplist: ['.id'] });
    return q.rows.length > 0;
  }

  async listUsers(): Promise<RouterUser[]> {
    const rows = (
      await this.api.exec(`${USER}/print`, {}, { proplist: ['name', 'comment', 'default', 'dynamic'] })
    ).rows;
    // RouterOS's own built-in user (default-trial) is nobody's to sell or remove.
    return rows
      .filter((u) => u.default !== 'true' && u.dynamic !== 'true')
      .map((u) => ({ name: u.name ?? '', accessCodeId: accessIdFromComment(u.comment) }));
  }

  async removeUser(username: string): Promise<void> {
    const users = (
      await this.api.exec(`${USER}/print`, {}, { query: [`name=${username}`], proplist: ['.id'] })
    ).rows;
    await this.removeUsers(users);
    await this.kick(new Set([username]));
  }

  async revoke(accessCodeId: string, username?: string): Promise<void> {
    const query = [`comment=${userComment(accessCodeId)}`, ...(username ? [`name=${username}`, '#|'] : [])];
    const users = (await this.api.exec(`${USER}/print`, {}, { query, proplist: REVOKE_PROPS })).rows;
    // Only our users: a same-named user the operator made by hand is not ours to delete.
    const ours = users.filter((u) => accessIdFromComment(u.comment) === accessCodeId);
    const names = new Set([...ours.map((u) => u.name!), ...(username ? [username] : [])]);
    await this.removeUsers(ours);
    await this.kick(names);
  }

  /**
   * Many codes at once (they expired together): their users looked up by query (one print per
   * QUERY_CHUNK codes; a listing of all users beyond QUERY_AT_MOST), then one remove each of
   * users, live sessions and cookies, whatever the number of codes.
   */
  async revokeMany(items: RevokeItem[]): Promise<Map<string, string>> {
    if (!items.length) return new Map();
    const ids = new Set(items.map((i) => i.accessCodeId));
    let users: Row[] = [];
    if (items.length <= QUERY_AT_MOST) {
      for (let c = 0; c < items.length; c += QUERY_CHUNK) {
        // name=… OR comment=… for each code: 2 words per code and one `#|` for each but the first.
        const query = items
          .slice(c, c + QUERY_CHUNK)
          .flatMap((i, n) => [
            `comment=${userComment(i.accessCodeId)}`,
            `name=${i.username}`,
            '#|',
            ...(n > 0 ? ['#|'] : []),
          ]);
        users.push(...(await this.api.exec(`${USER}/print`, {}, { query, proplist: REVOKE_PROPS })).rows);
      }
    } else {
      users = (await this.api.exec(`${USER}/print`, {}, { proplist: REVOKE_PROPS })).rows;
    }
    const ours = users.filter((u) => ids.has(accessIdFromComment(u.comment) ?? ''));
    await this.removeUsers(ours);
    await this.kick(new Set([...ours.map((u) => u.name!), ...items.map((i) => i.username)]));
    return new Map();
  }

  async listActive(): Promise<ActiveSession[]> {
    const [active, users] = await Promise.all([
      this.api.exec(`${ACTIVE}/print`),
      this.api.exec(`${USER}/print`, {}, { proplist: ['name', 'comment'] }),
    ]);
    const owner = new Map(users.rows.map((u) => [u.name!, accessIdFromComment(u.comment)]));
    return active.rows.map((a) => ({
      id: a['.id']!,
      username: a.user ?? '',
      accessCodeId: owner.get(a.user ?? '') ?? null,
      mac: a['mac-address'] ?? null,
      ip: a.address ?? null,
      uptimeSeconds: parseDuration(a.uptime ?? '0') ?? 0,
      bytesIn: Number(a['bytes-in'] ?? 0),
      bytesOut: Number(a['bytes-out'] ?? 0),
    }));
  }

  async disconnect(ref: SessionRef): Promise<void> {
    const active = (await this.api.exec(`${ACTIVE}/print`)).rows;
    const hits = active.filter(
      (a) =>
        (ref.acctSessionId && a['.id'] === ref.acctSessionId) ||
        (ref.mac && a['mac-address']?.toUpperCase() === ref.mac.toUpperCase()) ||
        (!ref.mac && ref.ip && a.address === ref.ip) ||
        (!ref.mac && !ref.ip && !ref.acctSessionId && ref.username && a.user === ref.username),
    );
    await this.removeActive(hits);
    // The device's MAC cookie goes too, even when it is not online now: else it logs straight back in.
    const macs = new Set([
      ...hits.map((a) => a['mac-address']!),
      ...(ref.mac ? [ref.mac.toUpperCase()] : []),
    ]);
    const cookies = (await this.api.exec(`${COOKIE}/print`)).rows.filter((c) => macs.has(c['mac-address']!));
    await this.removeIds(COOKIE, cookies);
  }

  async health(): Promise<RouterHealth> {
    const t0 = performance.now();
    const [res, ident, count] = await Promise.all([
      this.api.exec('/system/resource/print'),
      this.api.exec('/system/identity/print'),
      this.api.exec(`${ACTIVE}/print`, { 'count-only': '' }),
    ]);
    const r = res.rows[0] ?? {};
    return {
      ok: true,
      latencyMs: Math.round(performance.now() - t0),
      identity: ident.rows[0]?.name ?? '',
      version: r.version ?? '',
      board: r['board-name'] ?? '',
      uptimeSeconds: parseDuration(r.uptime ?? '0') ?? 0,
      cpuLoad: Number(r['cpu-load'] ?? 0),
      activeSessions: Number(count.ret ?? 0),
    };
  }

  async login(o: { username: string; password: string; mac?: string; ip: string }): Promise<void> {
    await this.api.exec(`${ACTIVE}/login`, {
      user: o.username,
      password: o.password,
      ip: o.ip,
      'mac-address': o.mac,
    });
  }

  async findDevice(mac: string): Promise<{ ip: string; loggedIn: boolean } | null> {
    const rows = (
      await this.api.exec(
        `${HOST}/print`,
        {},
        {
          query: [`mac-address=${mac}`],
          proplist: ['mac-address', 'address', 'authorized'],
          // Someone is waiting on a portal page for this answer.
          timeoutMs: 3_000,
        },
      )
    ).rows;
    const h = rows.find((r) => r['mac-address']?.toUpperCase() === mac.toUpperCase());
    if (!h?.address) return null;
    return { ip: h.address, loggedIn: h.authorized === 'true' || h.authorized === 'yes' };
  }

  /**
   * Make the router hold exactly `desired` among our users: add what is missing (after a reset),
   * fix what drifted, remove users of codes that are no longer live (or unknown to us), kick their
   * sessions and sessions whose user is gone altogether.
   */
  async reconcile(loadDesired: () => Promise<AccessSpec[]>, write: ReconcileWrite): Promise<ReconcileReport> {
    const report: ReconcileReport = { added: 0, updated: 0, removed: 0, kicked: 0 };
    // The reads hold nothing: listing a router of 12,500 users takes seconds, and its revokes do
    // not wait for that. Router first, database second: a grant writes its row before it touches
    // the router, so any user we see here that a concurrent grant just added is already desired.
    const users = (await this.api.exec(`${USER}/print`, {}, { proplist: USER_PROPS })).rows;
    const active = (await this.api.exec(`${ACTIVE}/print`)).rows;
    const desired = await loadDesired();
    const profiles = await this.profiles();
    const wanted = new Map(desired.map((d) => [d.accessCodeId, d]));
    const stale = users.filter((u) => {
      const id = accessIdFromComment(u.comment);
      return id !== null && !wanted.has(id);
    });
    // Users by code id and by name, sessions by user, once: a router holds thousands, and looking
    // each code's up in the whole list made reconcile quadratic (seconds of CPU per big router,
    // every minute, with the worker's event loop blocked meanwhile).
    const order = new Map(users.map((u, i) => [u, i]));
    const byId = groupBy(users, (u) => accessIdFromComment(u.comment));
    const byName = groupBy(users, (u) => u.name ?? null);
    const sessionsOf = groupBy(active, (a) => a.user ?? null);
    const rowsOf = (spec: AccessSpec) =>
      // Same rows, in the router's order, as filtering the list by either key.
      [...new Set([...(byId.get(spec.accessCodeId) ?? []), ...(byName.get(spec.code) ?? [])])].sort(
        (a, b) => order.get(a)! - order.get(b)!,
      );
    // Only the codes with something to do are read again: none, most minutes.
    const todo = desired.filter((spec) => planUser(spec, rowsOf(spec), sessionsOf.get(spec.code) ?? []));
    const codes = [...todo.map((s) => s.accessCodeId), ...stale.map((u) => accessIdFromComment(u.comment)!)];
    return write(codes, async (wantedNow) => {
      await this.ensureProfiles(desired, profiles);
      // A stale user whose code was bought again meanwhile is that code's user again.
      const gone = stale.filter((u) => !wantedNow.has(accessIdFromComment(u.comment)!));
      await this.removeUsers(gone);
      report.removed = gone.length;
      // Each code's user is its own: their adds and sets go out RECONCILE_WINDOW at a time (the
      // API tags each command), not a round trip each. A router reset means thousands of adds. A
      // code no longer wanted is left to its revoke; one changed meanwhile is written as it is now.
      const current = todo.flatMap((s) => wantedNow.get(s.accessCodeId) ?? []);
      await inWindow(current, RECONCILE_WINDOW, async (spec) => {
        const r = await this.applyUser(spec, rowsOf(spec), sessionsOf.get(spec.code) ?? []);
        if (r === 'added') report.added++;
        if (r === 'updated') report.updated++;
      });
      // Sessions of removed users, and of users nobody has any more (deleting a user leaves its session up).
      const goneSet = new Set(gone);
      const remaining = new Set(users.filter((u) => !goneSet.has(u)).map((u) => u.name!));
      for (const d of desired) remaining.add(d.code);
      const orphans = active.filter((a) => !remaining.has(a.user ?? ''));
      await this.removeActive(orphans);
      await this.removeCookies(new Set(gone.map((u) => u.name!)));
      report.kicked = orphans.length;
      return report;
    });
  }

  // -------------------------------------------------------------------------------------------

  private async applyUser(
    spec: AccessSpec,
    users: Row[],
    active: Row[],
  ): Promise<'added' | 'updated' | 'same'> {
    const plan = planUser(spec, users, active);
    if (!plan) return 'same';
    await this.removeUsers(plan.extras);
    if (!plan.mine) {
      try {
        await this.api.exec(`${USER}/add`, userAttrs(spec, undefined, active));
        return 'added';
      } catch (e) {
        // Added meanwhile by a concurrent grant: fall through to an update of that user.
        if (!(e instanceof RosTrapError && /already have user/.test(e.message))) throw e;
        const again = (
          await this.api.exec(`${USER}/print`, {}, { query: [`name=${spec.code}`], proplist: USER_PROPS })
        ).rows[0];
        if (!again) throw e;
        return this.update(spec, again, active);
      }
    }
    return this.update(spec, plan.mine, active);
  }

  private async update(spec: AccessSpec, user: Row, active: Row[]): Promise<'updated' | 'same'> {
    const diff = userAttrs(spec, user, active);
    if (!Object.keys(diff).length) return 'same';
    await this.api.exec(`${USER}/set`, { '.id': user['.id'], ...diff });
    return 'updated';
  }

  private async profiles(): Promise<Row[]> {
    return (await this.api.exec(`${PROFILE}/print`, {}, { proplist: PROFILE_PROPS })).rows;
  }

  /** `existing`: the router's profiles, when the caller has listed them already. */
  private async ensureProfiles(specs: AccessSpec[], existing?: Row[]): Promise<void> {
    // One profile per plan and speed: the plan's own, and its fair-use one once a code is over its cap.
    const byProfile = new Map(specs.map((s) => [profileName(s.planId, s.throttled), s]));
    if (!byProfile.size) return;
    existing ??= await this.profiles();
    for (const [name, spec] of byProfile) {
      const want = profileAttrs(spec);
      const cur = existing.find((p) => p.name === name);
      if (!cur) {
        try {
          await this.api.exec(`${PROFILE}/add`, { name, ...want });
        } catch (e) {
          if (!(e instanceof RosTrapError && /already/.test(e.message))) throw e;
        }
        continue;
      }
      const diff: Row = {};
      for (const [k, v] of Object.entries(want)) if ((cur[k] ?? '') !== v) diff[k] = v;
      if (Object.keys(diff).length) await this.api.exec(`${PROFILE}/set`, { '.id': cur['.id'], ...diff });
    }
  }

  private async removeUsers(users: Row[]): Promise<void> {
    await this.removeIds(USER, users);
  }

  /** Live sessions and login cookies of these user names. */
  private async kick(names: Set<string>): Promise<void> {
    if (!names.size) return;
    const active = (await this.api.exec(`${ACTIVE}/print`)).rows.filter((a) => names.has(a.user ?? ''));
    await this.removeActive(active);
    await this.removeCookies(names);
  }

  private async removeActive(rows: Row[]): Promise<void> {
    await this.removeIds(ACTIVE, rows);
  }

  private async removeCookies(names: Set<string>): Promise<void> {
    if (!names.size) return;
    const cookies = (await this.api.exec(`${COOKIE}/print`)).rows.filter((c) => names.has(c.user ?? ''));
    await this.removeIds(COOKIE, cookies);
  }

  /**
   * Many ids per `remove` (RouterOS takes a comma list in `.id`). The router refuses the whole
   * list if one id is gone meanwhile ("no such item"), which is what we wanted for that one: that
   * chunk is then removed one by one.
   */
  private async removeIds(menu: string, rows: Row[]): Promise<void> {
    for (let i = 0; i < rows.length; i += REMOVE_CHUNK) {
      const chunk = rows.slice(i, i + REMOVE_CHUNK);
      try {
        await this.api.exec(`${menu}/remove`, { '.id': chunk.map((r) => r['.id']).join(',') });
        continue;
      } catch (e) {
        if (!isNoSuchItem(e) || chunk.length === 1) {
          if (isNoSuchItem(e)) continue;
          throw e;
        }
      }
      for (const r of chunk) {
        try {
          await this.api.exec(`${menu}/remove`, { '.id': r['.id'] });
        } catch (e) {
          if (!isNoSuchItem(e)) throw e;
        }
      }
    }
  }
}

/**
 * What one code's user needs, from the router's rows of that code (by tag or by name) and its
 * sessions: null when nothing. A same-named user made by hand is taken over (the update tags it
 * ours): the code is the name. Copies (same tag, other names) are leftovers, removed so that one
 * code is one user.
 */
function planUser(spec: AccessSpec, users: Row[], active: Row[]): { mine?: Row; extras: Row[] } | null {
  const byName = users.find((u) => u.name === spec.code);
  const mine = byName ?? users.find((u) => accessIdFromComment(u.comment) === spec.accessCodeId);
  const extras = users.filter((u) => u !== mine && accessIdFromComment(u.comment) === spec.accessCodeId);
  if (mine && !extras.length && !Object.keys(userAttrs(spec, mine, active)).length) return null;
  return { ...(mine ? { mine } : {}), extras };
}
