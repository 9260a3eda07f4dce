/**
 * Runs parsed RouterOS script against the simulated router (the same SimRouter the API server
 * drives). Two kinds of failure: `ScriptError` is RouterOS's own (a failed fetch, "no such item")
 * and `:do … on-error=` catches it; `ScriptRefused` means the script left the subset Wavu
 * generates, and nothing catches it.
 */
import type { Row } from '../../../protocols/routeros/types.ts';
import { parseRosTime } from '../../../gateways/index.ts';
import type { SimRouter } from '../router.ts';
import { SimTrap } from '../store.ts';
import { type Arg, type Expr, parseScript, ScriptRefused, type Stmt } from './parse.ts';

export { ScriptRefused } from './parse.ts';

export class ScriptError extends Error {
  override name = 'ScriptError';
}

export type Value =
  | { t: 'str'; v: string }
  | { t: 'num'; v: number }
  | { t: 'bool'; v: boolean }
  | { t: 'time'; v: number }
  | { t: 'id'; v: string }
  | { t: 'array'; v: Value[] }
  | { t: 'map'; v: Record<string, Value> }
  | { t: 'nil' }
  | { t: 'code'; body: Stmt[] };

const NIL: Value = { t: 'nil' };
const str = (v: string): Value => ({ t: 'str', v });

export interface FetchRequest {
  url: string;
  method: string;
  body: string | undefined;
  headers: Record<string, string>;
  checkCertificate: boolean;
  idleTimeoutMs: number;
}

export interface ScriptHost {
  router: SimRouter;
  fetch(req: FetchRequest): Promise<{ status: number; body: string }>;
  delay(seconds: number): Promise<void>;
  log(level: string, message: string): void;
  /** Called after every change to the router's configuration (persistence, crash hooks). */
  afterWrite(path: string, verb: string, attrs: Row): void;
  /** `/system script` and `/system scheduler` (the agent's own menus). */
  scripts: Map<string, { source: string; policy: string }>;
  schedulers: Map<string, Row>;
  ntp: Row;
}

/** Where a scalar is a RouterOS time. */
const TIME_PROPS = new Set(['uptime', 'limit-uptime', 'session-time-left', 'idle-time']);
const FETCH_LIMIT = 64 * 1024;

export function toStr(v: Value): string {
  switch (v.t) {
    case 'str':
    case 'id':
      return v.v;
    case 'num':
      return String(v.v);
    case 'bool':
      return v.v ? 'true' : 'false';
    case 'time': {
      // RouterOS prints times as [Nw][Nd]hh:mm:ss.
      let s = Math.max(0, Math.floor(v.v));
      const d = Math.floor(s / 86400);
      s -= d * 86400;
      const p = (n: number) => String(n).padStart(2, '0');
      return `${d ? `${d}d` : ''}${p(Math.floor(s / 3600))}:${p(Math.floor((s % 3600) / 60))}:${p(s % 60)}`;
    }
    case 'array':
      return v.v.map(toStr).join(';');
    case 'map':
      return Object.entries(v.v)
        .map(([k, x]) => `${k}=${toStr(x)}`)
        .join(';');
    case 'nil':
      return '';
    case 'code':
      return '(code)';
  }
}

const TYPE_NAMES: Record<Value['t'], string> = {
  str: 'str',
  num: 'num',
  bool: 'bool',
  time: 'time',
  id: 'id',
  array: 'array',
  map: 'array',
  nil: 'nil',
  code: 'code',
};

function word(v: string): Value {
  if (v === 'true' || v === 'yes') return { t: 'bool', v: true };
  if (v === 'false' || v === 'no') return { t: 'bool', v: false };
  if (/^\d+$/.test(v)) return { t: 'num', v: Number(v) };
  if (/^(\d+[wdhms])+$/.test(v)) return { t: 'time', v: parseRosTime(v)! };
  return str(v);
}

function equal(a: Value, b: Value): boolean {
  if (a.t === 'nil' || b.t === 'nil') return a.t === b.t;
  if ((a.t === 'num' || a.t === 'time') && a.t === b.t) return a.v === b.v;
  if (a.t === 'bool' && b.t === 'bool') return a.v === b.v;
  return toStr(a) === toStr(b);
}

const num = (v: Value, line: number): number => {
  if (v.t === 'num' || v.t === 'time') return v.v;
  throw new ScriptError(`line ${line}: not a number (${TYPE_NAMES[v.t]})`);
};

const truthy = (v: Value) => v.t === 'bool' && v.v;

class Scope {
  private readonly locals = new Map<string, Value>();
  readonly globalNames = new Set<string>();
  constructor(private readonly parent: Scope | null) {}
  find(name: string): Scope | null {
    if (this.locals.has(name) || this.globalNames.has(name)) return this;
    return this.parent?.find(name) ?? null;
  }
  isGlobal(name: string): boolean {
    return this.globalNames.has(name);
  }
  get(name: string): Value | undefined {
    return this.locals.get(name);
  }
  setLocal(name: string, v: Value): void {
    this.locals.set(name, v);
  }
}

const MENU_PATHS = new Set([
  '/ip/hotspot/user',
  '/ip/hotspot/user/profile',
  '/ip/hotspot/active',
  '/ip/hotspot/cookie',
  '/ip/hotspot/ip-binding',
  '/ppp/profile',
  '/ppp/secret',
  '/ppp/active',
  '/system/identity',
  '/system/resource',
  '/system/clock',
  '/system/script',
  '/system/scheduler',
  '/system/ntp/client',
  '/tool',
]);
const VERBS = new Set(['add', 'set', 'remove', 'find', 'get', 'run', 'fetch']);

export class Interpreter {
  readonly globals = new Map<string, Value>();
  constructor(private readonly host: ScriptHost) {}

  /** Run a script (its text); errors a real router would stop the script with are thrown. */
  async run(source: string): Promise<void> {
    await this.block(parseScript(source), new Scope(null), null);
  }

  private async block(body: Stmt[], parent: Scope, menu: string | null): Promise<void> {
    const scope = new Scope(parent);
    for (const s of body) await this.stmt(s, scope, menu);
  }

  private lookup(name: string, scope: Scope, line: number): Value {
    const s = scope.find(name);
    if (!s) throw new ScriptRefused(`line ${line}: $${name} is used but never declared`);
    if (s.isGlobal(name)) return this.globals.get(name) ?? NIL;
    return s.get(name)!;
  }

  private assign(name: string, v: Value, scope: Scope, line: number): void {
    const s = scope.find(name);
    if (!s) throw new ScriptRefused(`line ${line}: :set of undeclared $${name}`);
    if (s.isGlobal(name)) this.globals.set(name, v);
    else s.setLocal(name, v);
  }

  async value(a: Arg, scope: Scope, menu: string | null, line: number): Promise<Value> {
    switch (a.t) {
      case 'word':
        return word(a.v);
      case 'str':
        return str(a.v);
      case 'var':
        return this.lookup(a.name, scope, line);
      case 'sub':
        return this.stmt(a.stmt, scope, menu);
      case 'expr':
        return this.expr(a.e, scope, menu, line);
      case 'block':
        return { t: 'code', body: a.body };
      case 'kv':
        throw new ScriptRefused(`line ${line}: ${a.key}= where a value was expected`);
    }
  }

  private async expr(e: Expr, scope: Scope, menu: string | null, line: number): Promise<Value> {
    if (e.t === 'lit') return this.value(e.arg, scope, menu, line);
    if (e.t === 'not') return { t: 'bool', v: !truthy(await this.expr(e.a, scope, menu, line)) };
    if (e.t === 'index') {
      const m = await this.expr(e.a, scope, menu, line);
      const k = toStr(await this.expr(e.key, scope, menu, line));
      if (m.t !== 'map') throw new ScriptError(`line ${line}: -> on a ${TYPE_NAMES[m.t]}`);
      return m.v[k] ?? NIL;
    }
    const a = await this.expr(e.a, scope, menu, line);
    if (e.op === '&&' && !truthy(a)) return { t: 'bool', v: false };
    if (e.op === '||' && truthy(a)) return { t: 'bool', v: true };
    const b = await this.expr(e.b, scope, menu, line);
    switch (e.op) {
      case '&&':
      case '||':
        return { t: 'bool', v: truthy(b) };
      case '=':
        return { t: 'bool', v: equal(a, b) };
      case '!=':
        return { t: 'bool', v: !equal(a, b) };
      case '<':
        return { t: 'bool', v: num(a, line) < num(b, line) };
      case '>':
        return { t: 'bool', v: num(a, line) > num(b, line) };
      case '<=':
        return { t: 'bool', v: num(a, line) <= num(b, line) };
      case '>=':
        return { t: 'bool', v: num(a, line) >= num(b, line) };
      case '.':
        return str(toStr(a) + toStr(b));
      case '+':
      case '-': {
        const r = e.op === '+' ? num(a, line) + num(b, line) : num(a, line) - num(b, line);
        return { t: a.t === 'time' || b.t === 'time' ? 'time' : 'num', v: r } as Value;
      }
    }
    throw new ScriptRefused(`line ${line}: operator ${e.op}`);
  }

  // ------------------------------------------------------------------ statements

  private async stmt(s: Stmt, scope: Scope, menu: string | null): Promise<Value> {
    const [head, ...rest] = s.args;
    if (!head) return NIL;
    if (head.t === 'var' && rest.length === 0) {
      const f = this.lookup(head.name, scope, s.line);
      if (f.t !== 'code') throw new ScriptError(`line ${s.line}: $${head.name} is not code`);
      await this.block(f.body, new Scope(null), null);
      return NIL;
    }
    if (head.t !== 'word') throw new ScriptRefused(`line ${s.line}: a statement must start with a command`);
    const w = head.v;
    if (w.startsWith(':')) return this.builtin(w, rest, scope, menu, s.line);
    if (w.startsWith('/')) return this.menuCommand([head, ...rest], scope, s.line);
    if (menu && VERBS.has(w)) return this.verb(menu, w, rest, scope, s.line);
    throw new ScriptRefused(`line ${s.line}: unknown command "${w}"`);
  }

  private kv(args: Arg[]): Map<string, Arg | null> {
    const m = new Map<string, Arg | null>();
    for (const a of args) if (a.t === 'kv') m.set(a.key, a.value);
    return m;
  }

  private async builtin(
    w: string,
    args: Arg[],
    scope: Scope,
    menu: string | null,
    line: number,
  ): Promise<Value> {
    const v = (a: Arg | undefined) => {
      if (!a) throw new ScriptRefused(`line ${line}: ${w} is missing an argument`);
      return this.value(a, scope, menu, line);
    };
    const name = () => {
      const a = args[0];
      if (a?.t !== 'word' || !/^[A-Za-z][A-Za-z0-9]*$/.test(a.v))
        throw new ScriptRefused(`line ${line}: ${w} needs a name`);
      return a.v;
    };
    switch (w) {
      case ':global': {
        const n = name();
        scope.globalNames.add(n);
        if (args[1]) this.globals.set(n, await v(args[1]));
        return NIL;
      }
      case ':local': {
        const n = name();
        scope.setLocal(n, args[1] ? await v(args[1]) : NIL);
        return NIL;
      }
      case ':set':
        this.assign(name(), args[1] ? await v(args[1]) : NIL, scope, line);
        return NIL;
      case ':if': {
        const kv = this.kv(args.slice(1));
        const cond = await v(args[0]);
        const body = truthy(cond) ? kv.get('do') : kv.get('else');
        if (body && body.t !== 'block') throw new ScriptRefused(`line ${line}: :if needs do={…}`);
        if (body) await this.block(body.body, scope, menu);
        return NIL;
      }
      case ':while': {
        const body = this.kv(args.slice(1)).get('do');
        if (body?.t !== 'block') throw new ScriptRefused(`line ${line}: :while needs do={…}`);
        while (truthy(await v(args[0]))) await this.block(body.body, scope, menu);
        return NIL;
      }
      case ':foreach': {
        const n = name();
        const kv = this.kv(args.slice(1));
        const list = await v(kv.get('in') ?? undefined);
        const body = kv.get('do');
        if (body?.t !== 'block') throw new ScriptRefused(`line ${line}: :foreach needs do={…}`);
        const items = list.t === 'array' ? list.v : list.t === 'nil' ? [] : [list];
        for (const it of items) {
          const inner = new Scope(scope);
          inner.setLocal(n, it);
          await this.block(body.body, inner, menu);
        }
        return NIL;
      }
      case ':do': {
        const body = args[0];
        const onError = this.kv(args.slice(1)).get('on-error');
        if (body?.t !== 'block' || (onError !== undefined && onError?.t !== 'block'))
          throw new ScriptRefused(`line ${line}: :do needs {…} on-error={…}`);
        try {
          await this.block(body.body, scope, menu);
        } catch (e) {
          if (!(e instanceof ScriptError) || !onError) throw e;
          await this.block(onError.body, scope, menu);
        }
        return NIL;
      }
      case ':delay': {
        const t = await v(args[0]);
        await this.host.delay(t.t === 'time' || t.t === 'num' ? t.v : 1);
        return NIL;
      }
      case ':log': {
        const level = args[0]?.t === 'word' ? args[0].v : '';
        if (!['debug', 'info', 'warning', 'error'].includes(level))
          throw new ScriptRefused(`line ${line}: :log level`);
        this.host.log(level, toStr(await v(args[1])));
        return NIL;
      }
      case ':error':
        // Stops the script, as RouterOS does; a surrounding :do on-error= catches it.
        throw new ScriptError(`line ${line}: ${toStr(await v(args[0]))}`);
      case ':put':
        this.host.log('put', toStr(await v(args[0])));
        return NIL;
      case ':len': {
        const x = await v(args[0]);
        return { t: 'num', v: x.t === 'array' ? x.v.length : x.t === 'nil' ? 0 : toStr(x).length };
      }
      case ':typeof':
        return str(TYPE_NAMES[(await v(args[0])).t]);
      case ':tostr':
        return str(toStr(await v(args[0])));
      case ':find': {
        const hay = await v(args[0]);
        const needle = toStr(await v(args[1]));
        const i =
          hay.t === 'array' ? hay.v.findIndex((x) => toStr(x) === needle) : toStr(hay).indexOf(needle);
        return i < 0 ? NIL : { t: 'num', v: i };
      }
      case ':pick': {
        const s = toStr(await v(args[0]));
        const from = num(await v(args[1]), line);
        const to = args[2] ? num(await v(args[2]), line) : from + 1;
        return str(s.slice(from, to));
      }
      case ':parse': {
        const src = toStr(await v(args[0]));
        return { t: 'code', body: parseScript(src) };
      }
    }
    throw new ScriptRefused(`line ${line}: ${w} is not in the subset the simulator runs`);
  }

  private async menuCommand(args: Arg[], scope: Scope, line: number): Promise<Value> {
    const words: string[] = [];
    let i = 0;
    for (; i < args.length; i++) {
      const a = args[i]!;
      if (a.t !== 'word' || VERBS.has(a.v)) break;
      words.push(a.v.replace(/^\//, ''));
    }
    const verbArg = args[i];
    if (verbArg?.t !== 'word') throw new ScriptRefused(`line ${line}: /${words.join(' ')} without a command`);
    let path = `/${words.join('/')}`;
    if (verbArg.v === 'fetch') path = '/tool';
    if (!MENU_PATHS.has(path)) throw new ScriptRefused(`line ${line}: menu ${path} is not in the subset`);
    return this.verb(path, verbArg.v, args.slice(i + 1), scope, line);
  }

  private async attrs(
    args: Arg[],
    scope: Scope,
    menu: string,
    line: number,
  ): Promise<{ attrs: Row; positional: Value[] }> {
    const attrs: Row = {};
    const positional: Value[] = [];
    for (const a of args) {
      if (a.t === 'kv') attrs[a.key] = a.value ? toStr(await this.value(a.value, scope, menu, line)) : '';
      else if (a.t === 'word' && a.v === 'as-value') attrs['as-value'] = 'yes';
      else positional.push(await this.value(a, scope, menu, line));
    }
    return { attrs, positional };
  }

  private ids(v: Value | undefined, line: number): string[] {
    if (!v) throw new ScriptRefused(`line ${line}: which item?`);
    if (v.t === 'array') return v.v.map(toStr);
    if (v.t === 'nil') return [];
    return [toStr(v)];
  }

  private async verb(path: string, verb: string, args: Arg[], scope: Scope, line: number): Promise<Value> {
    const r = this.host.router;
    const wrap = <T>(f: () => T): T => {
      try {
        return f();
      } catch (e) {
        if (e instanceof SimTrap) throw new ScriptError(`line ${line}: ${e.message}`);
        throw e;
      }
    };
    if (verb === 'find') return this.find(path, args, scope, line);
    if (path === '/tool' && verb === 'fetch') return this.fetch(args, scope, line);
    const { attrs, positional } = await this.attrs(args, scope, path, line);
    if (path === '/system/script' || path === '/system/scheduler' || path === '/system/ntp/client')
      return this.agentMenus(path, verb, attrs, positional, line);
    if (path === '/system/clock' && verb === 'get') {
      const d = new Date(r.now());
      const p = (n: number) => String(n).padStart(2, '0');
      if (toStr(positional[0] ?? NIL) !== 'time')
        throw new ScriptRefused(`line ${line}: /system clock get time only`);
      return str(`${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`);
    }
    if (verb === 'get') {
      const [target, prop] =
        path === '/system/identity' || path === '/system/resource' ? [undefined, positional[0]] : positional;
      const propName = toStr(prop ?? NIL);
      const rows = r.list(path);
      const row = target === undefined ? rows[0] : rows.find((x) => x['.id'] === toStr(target));
      if (!row) throw new ScriptError(`line ${line}: no such item`);
      const raw = row[propName];
      if (raw === undefined) return NIL;
      if (TIME_PROPS.has(propName)) return { t: 'time', v: parseRosTime(raw) ?? 0 };
      return str(path === '/system/resource' && propName === 'version' ? raw.replace(/ \(.*\)$/, '') : raw);
    }
    if (verb === 'add') {
      const id = wrap(() => r.add(path, attrs));
      this.host.afterWrite(path, 'add', attrs);
      return { t: 'id', v: id };
    }
    if (verb === 'set' || verb === 'remove') {
      const ids = this.ids(positional[0], line);
      if (!ids.length) return NIL; // [find …] matched nothing: nothing to do, as on RouterOS
      const full = { '.id': ids.join(','), ...attrs };
      wrap(() => (verb === 'set' ? r.set(path, full) : r.remove(path, full)));
      this.host.afterWrite(path, verb, full);
      return NIL;
    }
    throw new ScriptRefused(`line ${line}: ${path} ${verb} is not in the subset`);
  }

  /** `find [where cond (or|and cond)*]`; a cond is `prop="v"`, `prop=$v` or `prop~"regex"`. */
  private async find(path: string, args: Arg[], scope: Scope, line: number): Promise<Value> {
    const conds: { prop: string; op: '=' | '~'; v: string }[] = [];
    const joins: string[] = [];
    let i = 0;
    if (args[0]?.t === 'word' && args[0].v === 'where') i = 1;
    else if (args.length) throw new ScriptRefused(`line ${line}: find without where`);
    while (i < args.length) {
      const a = args[i]!;
      if (a.t === 'kv' && a.value) {
        conds.push({ prop: a.key, op: '=', v: toStr(await this.value(a.value, scope, path, line)) });
        i++;
      } else if (a.t === 'word' && a.v.endsWith('~') && args[i + 1]) {
        conds.push({
          prop: a.v.slice(0, -1),
          op: '~',
          v: toStr(await this.value(args[i + 1]!, scope, path, line)),
        });
        i += 2;
      } else throw new ScriptRefused(`line ${line}: find condition`);
      const j = args[i];
      if (j?.t === 'word' && (j.v === 'or' || j.v === 'and')) {
        joins.push(j.v);
        i++;
      } else if (j) throw new ScriptRefused(`line ${line}: find conditions join with or/and`);
    }
    if (path === '/system/script' || path === '/system/scheduler') {
      const table = path === '/system/script' ? this.host.scripts : this.host.schedulers;
      const name = conds.find((c) => c.prop === 'name' && c.op === '=')?.v;
      if (conds.length !== 1 || name === undefined)
        throw new ScriptRefused(`line ${line}: find by name only`);
      return { t: 'array', v: table.has(name) ? [{ t: 'id', v: name }] : [] };
    }
    const test = (row: Row, c: (typeof conds)[number]) =>
      c.op === '=' ? (row[c.prop] ?? '') === c.v : new RegExp(c.v).test(row[c.prop] ?? '');
    const rows = this.host.router.list(path).filter((row) => {
      if (!conds.length) return true;
      let ok = test(row, conds[0]!);
      for (const [k, c] of conds.slice(1).entries())
        ok = joins[k] === 'or' ? ok || test(row, c) : ok && test(row, c);
      return ok;
    });
    return { t: 'array', v: rows.map((row) => ({ t: 'id', v: row['.id']! })) };
  }

  private async agentMenus(
    path: string,
    verb: string,
    attrs: Row,
    positional: Value[],
    line: number,
  ): Promise<Value> {
    const h = this.host;
    if (path === '/system/ntp/client' && verb === 'set') {
      const v7 = h.router.versionAtLeast('7.0');
      for (const k of Object.keys(attrs)) {
        const ok = ['enabled', v7 ? 'servers' : 'server-dns-names'];
        if (!ok.includes(k)) throw new ScriptError(`line ${line}: unknown parameter ${k}`);
      }
      Object.assign(h.ntp, attrs);
      h.afterWrite(path, verb, attrs);
      return NIL;
    }
    const table = path === '/system/script' ? h.scripts : path === '/system/scheduler' ? h.schedulers : null;
    if (!table) throw new ScriptRefused(`line ${line}: ${path} ${verb}`);
    if (verb === 'add') {
      if (!attrs.name || table.has(attrs.name))
        throw new ScriptError(`line ${line}: failure: item with such name already exists`);
      if (path === '/system/script')
        h.scripts.set(attrs.name, { source: attrs.source ?? '', policy: attrs.policy ?? '' });
      else h.schedulers.set(attrs.name, { ...attrs });
      h.afterWrite(path, verb, attrs);
      return { t: 'id', v: attrs.name };
    }
    if (verb === 'remove') {
      for (const id of this.ids(positional[0], line)) table.delete(id);
      h.afterWrite(path, verb, attrs);
      return NIL;
    }
    if (verb === 'run' && path === '/system/script') {
      const name = toStr(positional[0] ?? NIL);
      const s = h.scripts.get(name);
      if (!s) throw new ScriptError(`line ${line}: no such script ${name}`);
      await this.run(s.source);
      return NIL;
    }
    throw new ScriptRefused(`line ${line}: ${path} ${verb}`);
  }

  private async fetch(args: Arg[], scope: Scope, line: number): Promise<Value> {
    const { attrs } = await this.attrs(args, scope, '/tool', line);
    const known = [
      'url',
      'http-method',
      'http-data',
      'http-header-field',
      'check-certificate',
      'output',
      'as-value',
      'idle-timeout',
    ];
    for (const k of Object.keys(attrs))
      if (!known.includes(k)) throw new ScriptRefused(`line ${line}: fetch ${k}=`);
    if (attrs['idle-timeout'] !== undefined && !this.host.router.versionAtLeast('7.0'))
      throw new ScriptError(`line ${line}: expected end of command (idle-timeout is RouterOS 7 only)`);
    if (attrs.output !== 'user' || attrs['as-value'] !== 'yes')
      throw new ScriptRefused(`line ${line}: the agent reads replies with output=user as-value`);
    const headers: Record<string, string> = {};
    for (const h of (attrs['http-header-field'] ?? '').split(',').filter(Boolean)) {
      const c = h.indexOf(':');
      headers[h.slice(0, c).trim()] = h.slice(c + 1).trim();
    }
    const idle = parseRosTime(attrs['idle-timeout'] ?? '10s') ?? 10;
    let res: { status: number; body: string };
    try {
      res = await this.host.fetch({
        url: attrs.url ?? '',
        method: (attrs['http-method'] ?? 'get').toUpperCase(),
        body: attrs['http-data'],
        headers,
        checkCertificate: attrs['check-certificate'] === 'yes' || attrs['check-certificate'] === 'true',
        idleTimeoutMs: idle * 1000,
      });
    } catch (e) {
      throw new ScriptError(`line ${line}: failure: ${(e as Error).message}`);
    }
    if (res.status < 200 || res.status > 299)
      throw new ScriptError(`line ${line}: failure: closing connection: <${res.status}>`);
    if (Buffer.byteLength(res.body) > FETCH_LIMIT)
      throw new ScriptError(`line ${line}: failure: file size exceeds output=user limit`);
    return {
      t: 'map',
      v: {
        status: str('finished'),
        data: str(res.body),
        downloaded: { t: 'num', v: Math.ceil(res.body.length / 1024) },
      },
    };
  }
}

/** For the simulator's journal: what a write looked like. */
export const describeWrite = (path: string, verb: string, attrs: Row) =>
  `${path} ${verb} ${Object.entries(attrs)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ')}`;
