/**
 * The simulated router's web side: the v7 REST façade (`/rest/...`, Basic auth, JSON strings) over
 * the same state as the API, and the hotspot's HTTP login (`/login` with HTTP-PAP or HTTP-CHAP,
 * `/status`, `/logout`) rendering a login page template with the MikroTik `$(variables)`, so a
 * browser can really log in. Framework-free: handlers take a plain request and return a response.
 */
import { randomInt } from 'node:crypto';
import { executeCommand } from './commands.ts';
import { menuOf } from './menus/index.ts';
import type { SimRouter } from './router.ts';
import { SimTrap } from './store.ts';
import { octalEscape } from '../../protocols/routeros/values.ts';

export interface SimRequest {
  method: string;
  /** Path after the mount point, e.g. `/rest/ip/hotspot/user` or `/login`. */
  path: string;
  query: Record<string, string>;
  /** Parsed JSON (REST) or form fields (hotspot). */
  body: unknown;
  headers: Record<string, string | undefined>;
}

export interface SimResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const json = (status: number, body: unknown): SimResponse => ({
  status,
  headers: { 'content-type': 'application/json' },
  body: body === undefined ? '' : JSON.stringify(body),
});
const restError = (status: number, message: string, detail?: string) =>
  json(status, { error: status, message, ...(detail ? { detail } : {}) });

// ------------------------------------------------------------------------------------------ REST

export function handleRest(router: SimRouter, req: SimRequest): SimResponse {
  const auth = /^Basic (.+)$/.exec(req.headers.authorization ?? '');
  const [name, ...pw] = auth ? Buffer.from(auth[1]!, 'base64').toString('utf8').split(':') : [];
  if (!auth || name === undefined || router.users.get(name) !== pw.join(':'))
    return restError(401, 'Unauthorized');
  const path = req.path.replace(/^\/rest/, '').replace(/\/+$/, '');
  const body = (req.body && typeof req.body === 'object' ? req.body : {}) as Record<string, unknown>;
  const strAttrs = (o: Record<string, unknown>) => {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(o)) if (k !== '.query' && k !== '.proplist') out[k] = String(v);
    return out;
  };
  let menu = path;
  let last: string | undefined;
  if (!menuOf(menu)) {
    const i = path.lastIndexOf('/');
    menu = path.slice(0, i);
    last = decodeURIComponent(path.slice(i + 1));
    if (!menuOf(menu)) return restError(400, 'Bad Request', `no such command or directory (${last})`);
  }
  try {
    const m = req.method.toUpperCase();
    const one = (id: string) => {
      const { rows } = executeCommand(router, `${menu}/print`, {});
      return rows.find((r) => r['.id'] === id || r.name === id);
    };
    if (m === 'GET') {
      const { '.proplist': pl, ...filters } = req.query;
      const queries = Object.entries(filters).map(([k, v]) => `${k}=${v}`);
      if (last === undefined) return json(200, executeCommand(router, `${menu}/print`, {}, queries, pl).rows);
      const row = one(last);
      return row ? json(200, row) : restError(404, 'Not Found');
    }
    if (m === 'PUT' && last === undefined) {
      const { ret } = executeCommand(router, `${menu}/add`, strAttrs(body));
      return json(201, one(ret!));
    }
    if (m === 'PATCH' && last !== undefined) {
      if (!one(last)) return restError(404, 'Not Found');
      executeCommand(router, `${menu}/set`, { ...strAttrs(body), '.id': last });
      return json(200, one(last));
    }
    if (m === 'DELETE' && last !== undefined) {
      if (!one(last)) return restError(404, 'Not Found');
      executeCommand(router, `${menu}/remove`, { '.id': last });
      return { status: 204, headers: {}, body: '' };
    }
    if (m === 'POST' && last !== undefined) {
      const query = Array.isArray(body['.query']) ? body['.query'].map(String) : [];
      const pl = Array.isArray(body['.proplist'])
        ? body['.proplist'].join(',')
        : (body['.proplist'] as string | undefined);
      const res = executeCommand(router, `${menu}/${last}`, strAttrs(body), query, pl);
      if (res.ret !== undefined) return json(200, { ret: res.ret });
      return json(200, res.rows);
    }
    return restError(400, 'Bad Request', `no such command or directory (${last ?? m.toLowerCase()})`);
  } catch (e) {
    if (e instanceof SimTrap) {
      if (/^no such item/.test(e.message)) return restError(404, 'Not Found');
      if (/^no such command/.test(e.message)) return restError(400, 'Bad Request', e.message);
      return restError(400, 'Bad Request', e.message);
    }
    return restError(500, 'Internal Server Error', (e as Error).message);
  }
}

// --------------------------------------------------------------------------------------- hotspot

export interface HotspotOptions {
  /** Where the hotspot pages are mounted, e.g. `` (standalone) or `/sim/hotspot` (demo). */
  basePath: string;
  /** login.html template with `$(variables)`; a plain built-in form when absent. */
  loginHtml?: () => string | undefined;
}

const HOST_COOKIE = 'wavu_sim_host';

/** `$(name)` substitution as the hotspot servlet does (no conditionals: our pages need none). */
export function renderTemplate(html: string, vars: Record<string, string>): string {
  return html.replace(/\$\(([a-z0-9-]+)\)/g, (_m, k: string) => vars[k] ?? '');
}

const esc = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const BUILTIN_LOGIN = `<!doctype html><html><head><meta name="viewport" content="width=device-width">
<title>$(identity) hotspot</title></head><body><h1>$(identity)</h1><p>$(error)</p>
<form method="post" action="$(link-login-only)"><input type="hidden" name="dst" value="$(link-orig)">
<input type="hidden" name="mac" value="$(mac)"><input type="hidden" name="ip" value="$(ip)">
<label>Code <input name="username"></label> <label>Password <input name="password" type="password"></label>
<button>Log in</button></form></body></html>`;

function page(title: string, body: string): SimResponse {
  return {
    status: 200,
    headers: { 'content-type': 'text/html; charset=utf-8' },
    body: `<!doctype html><html><head><meta name="viewport" content="width=device-width"><title>${esc(title)}</title></head><body>${body}</body></html>`,
  };
}

function randomMac(): string {
  // First octet with the locally-administered bit clear: looks like a real device, not a private MAC.
  const bytes = [0xa4, randomInt(256), randomInt(256), randomInt(256), randomInt(256), randomInt(256)];
  return bytes.map((b) => b.toString(16).padStart(2, '0').toUpperCase()).join(':');
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return decodeURIComponent(v.join('='));
  }
  return undefined;
}

export function handleHotspot(router: SimRouter, req: SimRequest, o: HotspotOptions): SimResponse {
  const p = {
    ...req.query,
    ...((req.body && typeof req.body === 'object' ? req.body : {}) as Record<string, string>),
  };
  // The browser is not really on the hotspot LAN: it names its device (mac, ip), or gets one in a cookie.
  const fromCookie = cookieValue(req.headers.cookie, HOST_COOKIE)?.split('|');
  let mac = (p.mac ?? fromCookie?.[0] ?? '').toUpperCase();
  let ip = p.ip ?? fromCookie?.[1] ?? '';
  if (!/^[0-9A-F]{2}(:[0-9A-F]{2}){5}$/.test(mac) || !/^\d+\.\d+\.\d+\.\d+$/.test(ip)) {
    mac = randomMac();
    ip = `10.5.50.${randomInt(2, 254)}`;
  }
  router.join(mac, ip);
  const headers: Record<string, string> = {
    'set-cookie': `${HOST_COOKIE}=${encodeURIComponent(`${mac}|${ip}`)}; Path=/; SameSite=Lax`,
    'cache-control': 'no-store',
  };
  const origin = `http://${req.headers.host ?? '127.0.0.1'}`;
  const linkLoginOnly = `${origin}${o.basePath}/login`;
  const dst = p.dst || 'http://example.com/';
  const active = () => router.list('/ip/hotspot/active').find((a) => a['mac-address'] === mac);
  const status = (a: Record<string, string>) => ({
    ...page(
      'Connected',
      `<h1>You are online</h1><p>User ${esc(a.user ?? '')} · ${esc(mac)} · ${esc(ip)}</p>
<p>Time left: ${esc(a['session-time-left'] ?? 'unlimited')}</p><p><a href="${o.basePath}/logout">Log out</a></p>`,
    ),
    headers: { ...headers, 'content-type': 'text/html; charset=utf-8' },
  });
  const loginPage = (error: string) => {
    const chap = router.newChallenge(ip);
    const vars: Record<string, string> = {
      mac,
      ip,
      'mac-esc': encodeURIComponent(mac),
      identity: router.identity,
      'server-name': 'hotspot1',
      hostname: req.headers.host ?? '',
      'server-address': req.headers.host ?? '',
      'link-login-only': linkLoginOnly,
      'link-login': `${linkLoginOnly}?dst=${encodeURIComponent(dst)}`,
      'link-orig': dst,
      'link-orig-esc': encodeURIComponent(dst),
      'link-status': `${origin}${o.basePath}/status`,
      'link-logout': `${origin}${o.basePath}/logout`,
      'chap-id': octalEscape(chap.id),
      'chap-challenge': octalEscape(chap.challenge),
      error: esc(error),
      'error-orig': esc(error),
      username: esc(p.username ?? ''),
      'logged-in': 'no',
      'login-by': '',
      'plain-passwd': 'yes',
      trial: 'no',
    };
    const tpl = o.loginHtml?.() ?? BUILTIN_LOGIN;
    return {
      status: 200,
      headers: { ...headers, 'content-type': 'text/html; charset=utf-8' },
      body: renderTemplate(tpl, vars),
    };
  };
  const redirect = (to: string): SimResponse => ({
    status: 302,
    headers: { ...headers, location: to },
    body: '',
  });

  const path = req.path.replace(/\/+$/, '') || '/';
  if (path === '/logout') {
    const a = active();
    if (a) router.logout(a['.id']!, 'user request');
    return {
      ...page('Logged out', `<h1>Logged out</h1><p><a href="${o.basePath}/login">Log in again</a></p>`),
      headers: { ...headers, 'content-type': 'text/html; charset=utf-8' },
    };
  }
  if (path === '/status') {
    const a = active();
    return a ? status(a) : loginPage('you are not logged in');
  }
  if (path !== '/login' && path !== '/') return { status: 404, headers, body: 'Not Found' };

  if (!p.username) {
    const a = active();
    if (a) return status(a);
    if (router.bypassed(mac)) return page('Connected', '<h1>You are online (bypassed)</h1>');
    const viaCookie = router.cookieLogin(mac, ip);
    if (viaCookie?.ok) return redirect(dst);
    return loginPage('');
  }
  // A 32-hex password answers the CHAP challenge; anything else is PAP (allowed on this profile).
  const isChap = /^[0-9a-f]{32}$/i.test(p.password ?? '') && router.chap.has(ip);
  let res = router.login({
    user: p.username,
    password: p.password ?? '',
    ip,
    mac,
    by: isChap ? 'http-chap' : 'http-pap',
    chap: isChap,
  });
  if (!res.ok && isChap)
    res = router.login({ user: p.username, password: p.password ?? '', ip, mac, by: 'http-pap' });
  if (!res.ok) return loginPage(res.error);
  if (p.dst) return redirect(p.dst);
  return status(active()!);
}
