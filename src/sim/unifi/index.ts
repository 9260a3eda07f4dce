/**
 * A UniFi Network controller, as far as an external portal sees it: one site with guest clients,
 * the Network Integration API (X-API-KEY) and the legacy API (classic `/api/login` and UniFi OS
 * `/api/auth/login` with its CSRF token), over real HTTP. Authorisations end by themselves when
 * their minutes run out on the simulator's clock, as on a real controller. Failure modes a test
 * (or the demo) can switch on: lapsed login sessions, a stale CSRF token, rate limiting; a wrong
 * API key or an unknown MAC fail as the real controller does.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface UnifiSimOptions {
  site?: string;
  apiKey?: string;
  username?: string;
  password?: string;
  now?: () => Date;
}

export interface SimStation {
  id: string;
  mac: string;
  ip: string;
  connectedAt: Date;
  authorized: boolean;
  authorizedUntil: Date | null;
  minutes: number | null;
  upKbps: number | null;
  downKbps: number | null;
  megabytes: number | null;
  /** From the device. */
  upBytes: number;
  /** To the device. */
  downBytes: number;
}

export interface UnifiSim {
  url: string;
  site: string;
  siteId: string;
  /** A device joins the guest SSID (not yet authorised). */
  join(mac: string, ip: string): SimStation;
  station(mac: string): SimStation | undefined;
  /** Traffic of a device: `up` from it, `down` to it. */
  traffic(mac: string, up: number, down: number): void;
  /** Every legacy login session lapses (as after a controller restart). */
  expireSessions(): void;
  /** UniFi OS issues a new CSRF token: requests with the old one are refused. */
  rotateCsrf(): void;
  /** The next `n` requests are answered 429. */
  rateLimit(n: number, retryAfterS?: number): void;
  /** Requests seen, `METHOD path` (for tests). */
  requests: string[];
  close(): Promise<void>;
}

type Res = http.ServerResponse;
const send = (res: Res, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
};
const legacyOk = (res: Res, data: unknown[]) => send(res, 200, { meta: { rc: 'ok' }, data });
const legacyErr = (res: Res, status: number, msg: string) =>
  send(res, status, { meta: { rc: 'error', msg }, data: [] });
const integrationErr = (res: Res, status: number, name: string, message: string) =>
  send(res, status, { statusCode: status, statusName: name, message, timestamp: new Date().toISOString() });

export async function startUnifiSim(o: UnifiSimOptions = {}): Promise<UnifiSim> {
  const site = o.site ?? 'default';
  const siteId = randomUUID();
  const now = o.now ?? (() => new Date());
  const stations = new Map<string, SimStation>();
  const sessions = new Set<string>();
  let csrf = randomUUID();
  let limited = 0;
  let limitedFor = 1;
  const requests: string[] = [];

  const live = (s: SimStation): SimStation => {
    if (s.authorized && s.authorizedUntil && s.authorizedUntil <= now()) {
      s.authorized = false;
      s.authorizedUntil = null;
    }
    return s;
  };
  const find = (mac: unknown) => (typeof mac === 'string' ? stations.get(mac.toUpperCase()) : undefined);
  const authorize = (s: SimStation, b: { minutes?: unknown; up?: unknown; down?: unknown; mb?: unknown }) => {
    const n = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : null);
    // Re-authorising replaces the authorisation and restarts its counters, as the controller does.
    s.minutes = n(b.minutes) ?? 480;
    s.authorized = true;
    s.authorizedUntil = new Date(now().getTime() + s.minutes * 60_000);
    s.upKbps = n(b.up);
    s.downKbps = n(b.down);
    s.megabytes = n(b.mb);
    s.upBytes = 0;
    s.downBytes = 0;
  };
  const unauthorize = (s: SimStation) => {
    s.authorized = false;
    s.authorizedUntil = null;
  };
  const cookieOf = (req: http.IncomingMessage) =>
    /(?:^|;\s*)(?:unifises|TOKEN)=([^;]+)/.exec(String(req.headers.cookie ?? ''))?.[1] ?? null;

  async function body(req: http.IncomingMessage): Promise<Record<string, unknown>> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    if (!text) return {};
    const v = JSON.parse(text) as unknown;
    if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('not an object');
    return v as Record<string, unknown>;
  }

  function integration(
    req: http.IncomingMessage,
    res: Res,
    path: string,
    url: URL,
    b: Record<string, unknown>,
  ) {
    if (!o.apiKey || req.headers['x-api-key'] !== o.apiKey)
      return integrationErr(res, 401, 'UNAUTHORIZED', 'Missing or invalid API key');
    if (path === '/info') return send(res, 200, { applicationVersion: '9.3.45' });
    if (path === '/sites') {
      const f = url.searchParams.get('filter');
      const match = !f || f === `internalReference.eq('${site}')`;
      const data = match ? [{ id: siteId, internalReference: site, name: 'Default' }] : [];
      return send(res, 200, { offset: 0, limit: 25, count: data.length, totalCount: data.length, data });
    }
    const m = /^\/sites\/([^/]+)\/clients(?:\/([^/]+)\/actions)?$/.exec(path);
    if (!m || m[1] !== siteId) return integrationErr(res, 404, 'NOT_FOUND', 'Not found');
    if (!m[2] && req.method === 'GET') {
      const f = /^macAddress\.eq\('([0-9a-f:]{17})'\)$/.exec(url.searchParams.get('filter') ?? '');
      const all = [...stations.values()].map(live).filter((s) => !f || s.mac === f[1]!.toUpperCase());
      const offset = Number(url.searchParams.get('offset') ?? 0);
      const limit = Math.min(200, Number(url.searchParams.get('limit') ?? 25));
      const data = all.slice(offset, offset + limit).map((s) => ({
        type: 'WIRELESS',
        id: s.id,
        name: s.mac,
        connectedAt: s.connectedAt.toISOString(),
        ipAddress: s.ip,
        macAddress: s.mac.toLowerCase(),
        access: {
          type: 'GUEST',
          authorized: s.authorized,
          usage: {
            durationSec: Math.floor((now().getTime() - s.connectedAt.getTime()) / 1000),
            // the client's own view: rx is what it downloaded
            rxBytes: s.downBytes,
            txBytes: s.upBytes,
          },
        },
      }));
      return send(res, 200, { offset, limit, count: data.length, totalCount: all.length, data });
    }
    if (m[2] && req.method === 'POST') {
      const s = [...stations.values()].find((x) => x.id === m[2]);
      if (!s) return integrationErr(res, 404, 'NOT_FOUND', `Client ${m[2]} not found`);
      if (b.action === 'AUTHORIZE_GUEST_ACCESS') {
        authorize(s, {
          minutes: b.timeLimitMinutes,
          up: b.txRateLimitKbps,
          down: b.rxRateLimitKbps,
          mb: b.dataUsageLimitMBytes,
        });
        return send(res, 200, {
          action: 'AUTHORIZE_GUEST_ACCESS',
          grantedAuthorization: {
            authorizedAt: now().toISOString(),
            authorizationMethod: 'API',
            expiresAt: s.authorizedUntil!.toISOString(),
          },
        });
      }
      if (b.action === 'UNAUTHORIZE_GUEST_ACCESS') {
        unauthorize(s);
        return send(res, 200, { action: 'UNAUTHORIZE_GUEST_ACCESS' });
      }
      return integrationErr(res, 400, 'BAD_REQUEST', `Unknown action ${String(b.action)}`);
    }
    return integrationErr(res, 405, 'METHOD_NOT_ALLOWED', 'Method not allowed');
  }

  function legacy(
    req: http.IncomingMessage,
    res: Res,
    os: boolean,
    path: string,
    b: Record<string, unknown>,
  ) {
    const sid = cookieOf(req);
    if (!sid || !sessions.has(sid)) return legacyErr(res, 401, 'api.err.LoginRequired');
    if (os && req.method !== 'GET' && req.headers['x-csrf-token'] !== csrf)
      return send(res, 403, { error: { code: 403, message: 'Forbidden: CSRF token missing or invalid' } });
    const prefix = `/api/s/${site}`;
    if (!path.startsWith(`${prefix}/`)) return legacyErr(res, 400, 'api.err.NoSiteContext');
    const rest = path.slice(prefix.length);
    if (rest === '/stat/sysinfo') return legacyOk(res, [{ version: '8.6.9', hostname: 'unifi' }]);
    if (rest === '/stat/sta')
      return legacyOk(
        res,
        [...stations.values()].map(live).map((s) => ({
          mac: s.mac.toLowerCase(),
          ip: s.ip,
          is_guest: true,
          authorized: s.authorized,
          assoc_time: Math.floor(s.connectedAt.getTime() / 1000),
          uptime: Math.floor((now().getTime() - s.connectedAt.getTime()) / 1000),
          // the access point's view: rx is what the device sent
          rx_bytes: s.upBytes,
          tx_bytes: s.downBytes,
        })),
      );
    if (rest === '/cmd/stamgr' && req.method === 'POST') {
      const s = find(b.mac);
      if (b.cmd !== 'authorize-guest' && b.cmd !== 'unauthorize-guest')
        return legacyErr(res, 400, 'api.err.InvalidCommand');
      if (!s) return legacyErr(res, 400, 'api.err.UnknownStation');
      if (b.cmd === 'authorize-guest')
        authorize(s, { minutes: b.minutes, up: b.up, down: b.down, mb: b.bytes });
      else unauthorize(s);
      return legacyOk(res, []);
    }
    return legacyErr(res, 404, 'api.err.NotFound');
  }

  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://unifi');
    requests.push(`${req.method} ${url.pathname}`);
    if (limited > 0) {
      limited--;
      return send(res, 429, { message: 'Too Many Requests' }, { 'retry-after': String(limitedFor) });
    }
    let b: Record<string, unknown>;
    try {
      b = await body(req);
    } catch {
      return send(res, 400, { message: 'body is not JSON' });
    }
    const p = url.pathname;
    if (p.startsWith('/proxy/network/integration/v1/'))
      return integration(req, res, p.slice('/proxy/network/integration/v1'.length), url, b);
    if ((p === '/api/login' || p === '/api/auth/login') && req.method === 'POST') {
      if (!o.username || b.username !== o.username || b.password !== o.password)
        return p === '/api/login'
          ? legacyErr(res, 400, 'api.err.Invalid')
          : send(res, 401, { message: 'Invalid username or password' });
      const sid = randomUUID();
      sessions.add(sid);
      if (p === '/api/login')
        return send(res, 200, { meta: { rc: 'ok' }, data: [] }, { 'set-cookie': `unifises=${sid}; Path=/` });
      return send(
        res,
        200,
        { username: o.username },
        {
          'set-cookie': `TOKEN=${sid}; Path=/; HttpOnly`,
          'x-csrf-token': csrf,
        },
      );
    }
    if (p.startsWith('/proxy/network/api/'))
      return legacy(req, res, true, p.slice('/proxy/network'.length), b);
    if (p.startsWith('/api/')) return legacy(req, res, false, p, b);
    return send(res, 404, { message: 'Not found' });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    site,
    siteId,
    join(mac, ip) {
      const s: SimStation = {
        id: randomUUID(),
        mac: mac.toUpperCase(),
        ip,
        connectedAt: now(),
        authorized: false,
        authorizedUntil: null,
        minutes: null,
        upKbps: null,
        downKbps: null,
        megabytes: null,
        upBytes: 0,
        downBytes: 0,
      };
      stations.set(s.mac, s);
      return s;
    },
    station: (mac) => {
      const s = stations.get(mac.toUpperCase());
      return s && live(s);
    },
    traffic(mac, up, down) {
      const s = stations.get(mac.toUpperCase());
      if (!s) return;
      s.upBytes += up;
      s.downBytes += down;
    },
    expireSessions: () => sessions.clear(),
    rotateCsrf: () => {
      csrf = randomUUID();
    },
    rateLimit(n, retryAfterS = 1) {
      limited = n;
      limitedFor = retryAfterS;
    },
    requests,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
