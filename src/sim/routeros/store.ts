/**
 * The generic side of the simulated router: one table per menu (menus/), numbered `*N` ids, and
 * the menu commands print/add/set/remove with RouterOS's messages, defaults and value formats.
 * Behaviour of particular menus (live sessions, computed fields) is the router's (router.ts).
 */
import type { Row } from '../../protocols/routeros/types.ts';
import {
  formatDuration,
  MAC_RE,
  parseBool,
  parseBytes,
  parseDuration,
} from '../../protocols/routeros/values.ts';
import { MENUS, menuOf } from './menus/index.ts';
import type { MenuDef } from './menus/types.ts';
import { QueryError, queryPredicate } from './query.ts';

export class SimTrap extends Error {
  constructor(
    message: string,
    readonly category?: number,
  ) {
    super(message);
  }
}

export class MenuStore {
  readonly version: string;
  private items = new Map<string, Map<string, Row>>();
  private nextId = new Map<string, number>();
  /**
   * Per keyed menu, key value → id, built on first lookup and kept by insert and set (the only
   * writers of a key). A router holds thousands of users; a scan per lookup made every command,
   * and every session shown, cost the whole table.
   */
  private keyIndex = new Map<string, Map<string, string>>();

  constructor(version: string) {
    this.version = version;
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

  /** Every menu empty, then each one's seed items. */
  protected loadMenus(): void {
    this.items = new Map(MENUS.map((m) => [m.path, new Map()]));
    this.nextId = new Map();
    this.keyIndex.clear();
    for (const m of MENUS) for (const row of m.seed ?? []) this.insert(m.path, row);
  }

  /** Drop the volatile menus' items; their ids restart at *1. */
  protected clearVolatile(): void {
    // Dynamic entries are numbered from *1 again after a boot, as on a real router: a poller
    // that keys sessions by `.id` alone would take a new session for an old one.
    for (const m of MENUS) {
      if (!m.volatile) continue;
      this.items.get(m.path)!.clear();
      this.nextId.delete(m.path);
      this.keyIndex.delete(m.path);
    }
  }

  /**
   * The configuration as flash keeps it (users, profiles, bindings, ...): what survives a power
   * cut. Live sessions, hosts and cookies are not part of it.
   */
  exportConfig(): { items: Record<string, Row[]>; nextId: Record<string, number> } {
    const items: Record<string, Row[]> = {};
    for (const [path, t] of this.items) {
      if (menuOf(path)?.volatile) continue;
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
      this.keyIndex.delete(path);
    }
    for (const [path, n] of Object.entries(c.nextId)) this.nextId.set(path, n);
  }

  table(path: string): Map<string, Row> {
    const t = this.items.get(path);
    if (!t) throw new SimTrap('no such command prefix', 0);
    return t;
  }

  insert(path: string, values: Row): string {
    const menu = menuOf(path)!;
    const n = (this.nextId.get(path) ?? 0) + 1;
    this.nextId.set(path, n);
    const id = `*${n.toString(16).toUpperCase()}`;
    const row: Row = { '.id': id };
    for (const [k, f] of Object.entries(menu.fields)) if (f.default !== undefined) row[k] = f.default;
    Object.assign(row, menu.readOnly ?? {}, values);
    this.table(path).set(id, row);
    const v = menu.key ? row[menu.key] : undefined;
    const idx = this.keyIndex.get(path);
    // Over an entry left by a removed row, not over a live row of the same value.
    if (idx && v !== undefined && !this.indexed(path, idx, v)) idx.set(v, id);
    return id;
  }

  /** Rows as print shows them (computed fields filled in). */
  list(path: string): Row[] {
    this.tick();
    const computed = this.computed(path);
    if (computed) return computed;
    return [...this.table(path).values()].map((r) => this.view(path, r));
  }

  print(path: string, attrs: Row, queries: string[], proplist?: string): { rows: Row[]; ret?: string } {
    let rows: Row[];
    try {
      const matches = queryPredicate(queries);
      this.tick();
      const computed = this.computed(path);
      if (computed) rows = computed.filter(matches);
      else if (this.viewComputes(path))
        rows = [...this.table(path).values()].map((r) => this.view(path, r)).filter(matches);
      // A plain copy: match the stored row, copy only what matched (thousands of users a print).
      else rows = [...this.table(path).values()].filter(matches).map((r) => this.view(path, r));
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
    if (menuOf(path)?.singleton) rows = rows.map(({ '.id': _id, ...r }) => r);
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

  findByKey(path: string, value: string): Row | undefined {
    const key = menuOf(path)!.key;
    if (!key) return undefined;
    const t = this.table(path);
    let idx = this.keyIndex.get(path);
    if (!idx) {
      idx = new Map();
      for (const r of t.values()) if (r[key] !== undefined && !idx.has(r[key]!)) idx.set(r[key]!, r['.id']!);
      this.keyIndex.set(path, idx);
    }
    if (!idx.has(value)) return undefined;
    const hit = this.indexed(path, idx, value);
    if (hit) return hit;
    // Removed since (remove deletes rows without the index): another row may hold the value.
    idx.delete(value);
    for (const r of t.values())
      if (r[key] === value) {
        idx.set(value, r['.id']!);
        return r;
      }
    return undefined;
  }

  /** The row the index names for `value`, if it is still there and still holds that value. */
  private indexed(path: string, idx: Map<string, string>, value: string): Row | undefined {
    const row = this.table(path).get(idx.get(value) ?? '');
    return row?.[menuOf(path)!.key!] === value ? row : undefined;
  }

  /** Ids from `.id`/`numbers`: comma list of `*N` ids or, where the menu has a key, names. */
  resolveIds(path: string, attrs: Row): string[] {
    const menu = menuOf(path)!;
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
    const menu = menuOf(path)!;
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
    const menu = menuOf(path)!;
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
      const row = this.table(path).get(id)!;
      const was = menu.key ? row[menu.key] : undefined;
      Object.assign(row, values);
      const now = menu.key ? row[menu.key] : undefined;
      const idx = this.keyIndex.get(path);
      if (idx && now !== was) {
        if (was !== undefined && idx.get(was) === id) idx.delete(was);
        if (now !== undefined) idx.set(now, id);
      }
    }
  }

  remove(path: string, attrs: Row): void {
    const menu = menuOf(path)!;
    if (menu.singleton) throw new SimTrap('no such command or directory (remove)', 0);
    const ids = this.resolveIds(path, attrs);
    for (const id of ids) this.removeItem(path, id);
  }

  /** What remove does to one item: deletes it, unless it is a built-in default. */
  protected removeItem(path: string, id: string): void {
    const row = this.table(path).get(id);
    if (row?.default === 'true') throw new SimTrap('failure: cannot remove default item', 1);
    this.table(path).delete(id);
  }

  /** What print shows for a stored item; subclasses fill in computed fields. */
  protected view(_path: string, row: Row): Row {
    return { ...row };
  }

  /** Whether view() adds computed properties for this menu (else it is a copy of the stored row). */
  protected viewComputes(_path: string): boolean {
    return false;
  }

  /** Rows made at print time instead of stored ones (e.g. /system/resource), or undefined. */
  protected computed(_path: string): Row[] | undefined {
    return undefined;
  }

  /** Bring live state up to the clock before it is read; the router's behaviour fills it in. */
  tick(): void {}
}
