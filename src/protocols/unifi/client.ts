/**
 * UniFi Network controllers, as an external portal needs them: authorise a guest by MAC with
 * time, data and rate limits, take the authorisation back, and list the site's clients. Two
 * wire dialects:
 *  - the Network Integration API (Network 9.1+): `X-API-KEY`, under
 *    `/proxy/network/integration/v1`; a guest is found by MAC (`filter=macAddress.eq('…')`) and
 *    authorised by a client action `AUTHORIZE_GUEST_ACCESS` / `UNAUTHORIZE_GUEST_ACCESS`;
 *  - the legacy controller API: a cookie session from `/api/login` (classic controller) or
 *    `/api/auth/login` (UniFi OS, whose paths sit under `/proxy/network` and whose writes carry the
 *    `X-CSRF-Token` the login returned), then `cmd/stamgr` `authorize-guest` / `unauthorize-guest`
 *    and `stat/sta`.
 * A lapsed legacy session (401) or a stale CSRF token (403) logs in again once. Pure wire code:
 * no business rules here.
 */
import { type JsonResponse, jsonRequest } from '../http/json-request.ts';

export type UnifiApiKind = 'integration' | 'unifi-os' | 'classic';

export interface UnifiOptions {
  /** e.g. `https://192.168.1.1` (UniFi OS) or `https://10.0.0.5:8443` (classic). */
  baseUrl: string;
  /** The site's short name (`default`, or what `/guest/s/<site>/` shows). */
  site: string;
  kind: UnifiApiKind;
  apiKey?: string | undefined;
  username?: string | undefined;
  password?: string | undefined;
  fingerprint256?: string | undefined;
  timeoutMs?: number;
}

export interface GuestLimits {
  minutes: number;
  upKbps: number | null;
  downKbps: number | null;
  megabytes: number | null;
}

export interface UnifiStation {
  /** AA:BB:CC:DD:EE:FF */
  mac: string;
  ip: string | null;
  authorized: boolean;
  /** When it connected (epoch seconds); 0 when the controller does not say. */
  connectedAt: number;
  uptimeSeconds: number;
  /** From the client: its upload. */
  bytesIn: number;
  /** To the client: its download. */
  bytesOut: number;
}

export type UnifiErrorKind = 'auth' | 'csrf' | 'unknown_mac' | 'rate_limited' | 'http';

export class UnifiError extends Error {
  override name = 'UnifiError';
  constructor(
    readonly kind: UnifiErrorKind,
    message: string,
    /** rate_limited: the controller's Retry-After, if it gave one. */
    readonly retryAfterMs: number | null = null,
  ) {
    super(message);
  }
}

export interface UnifiClient {
  version(): Promise<string>;
  authorize(mac: string, limits: GuestLimits): Promise<void>;
  unauthorize(mac: string): Promise<void>;
  stations(): Promise<UnifiStation[]>;
}

export function unifiClient(o: UnifiOptions): UnifiClient {
  return o.kind === 'integration' ? new IntegrationClient(o) : new LegacyClient(o);
}

const upperMac = (m: unknown) => (typeof m === 'string' ? m.toUpperCase() : '');
const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
const str = (v: unknown) => (typeof v === 'string' && v ? v : null);
const obj = (v: unknown): Record<string, unknown> =>
  v && typeof v === 'object' ? (v as Record<string, unknown>) : {};

function retryAfter(res: JsonResponse): number | null {
  const s = Number(res.headers['retry-after']);
  return Number.isFinite(s) && s >= 0 ? s * 1000 : null;
}

/** The failures every dialect shares: throttled, or an answer that is no answer. */
function commonError(res: JsonResponse, what: string): UnifiError {
  if (res.status === 429)
    return new UnifiError('rate_limited', `the controller is rate limiting (${what})`, retryAfter(res));
  const msg = str(obj(res.body).message) ?? str(obj(obj(res.body).meta).msg) ?? '';
  return new UnifiError('http', `${what}: HTTP ${res.status}${msg ? ` ${msg}` : ''}`);
}

class IntegrationClient implements UnifiClient {
  private siteId: string | null = null;
  constructor(private readonly o: UnifiOptions) {}

  private async call(method: string, path: string, body?: unknown): Promise<JsonResponse> {
    const url = new URL(`/proxy/network/integration/v1${path}`, this.o.baseUrl);
    const res = await jsonRequest(method, url, {
      headers: { 'x-api-key': this.o.apiKey ?? '' },
      body,
      fingerprint256: this.o.fingerprint256,
      timeoutMs: this.o.timeoutMs ?? 10_000,
    });
    if (res.status === 401 || res.status === 403)
      throw new UnifiError('auth', `the controller rejected the API key (HTTP ${res.status})`);
    if (res.status < 200 || res.status > 299) throw commonError(res, `${method} ${url.pathname}`);
    return res;
  }

  async version(): Promise<string> {
    const res = await this.call('GET', '/info');
    await this.site();
    return str(obj(res.body).applicationVersion) ?? '';
  }

  private async site(): Promise<string> {
    if (this.siteId) return this.siteId;
    const q = new URLSearchParams({ filter: `internalReference.eq('${this.o.site}')` });
    const res = await this.call('GET', `/sites?${q}`);
    const site = (obj(res.body).data as unknown[] | undefined)?.map(obj)[0];
    const id = str(site?.id);
    if (!id) throw new UnifiError('http', `the controller has no site "${this.o.site}"`);
    this.siteId = id;
    return id;
  }

  private async clientId(mac: string): Promise<string> {
    const q = new URLSearchParams({ filter: `macAddress.eq('${mac.toLowerCase()}')` });
    const res = await this.call('GET', `/sites/${await this.site()}/clients?${q}`);
    const c = (obj(res.body).data as unknown[] | undefined)?.map(obj)[0];
    const id = str(c?.id);
    if (!id) throw new UnifiError('unknown_mac', `the controller does not see ${mac} on site ${this.o.site}`);
    return id;
  }

  async authorize(mac: string, l: GuestLimits): Promise<void> {
    const id = await this.clientId(mac);
    await this.call('POST', `/sites/${await this.site()}/clients/${id}/actions`, {
      action: 'AUTHORIZE_GUEST_ACCESS',
      timeLimitMinutes: l.minutes,
      ...(l.megabytes !== null ? { dataUsageLimitMBytes: l.megabytes } : {}),
      // rx/tx as the client sees them: rx is its download.
      ...(l.downKbps !== null ? { rxRateLimitKbps: l.downKbps } : {}),
      ...(l.upKbps !== null ? { txRateLimitKbps: l.upKbps } : {}),
    });
  }

  async unauthorize(mac: string): Promise<void> {
    const id = await this.clientId(mac);
    await this.call('POST', `/sites/${await this.site()}/clients/${id}/actions`, {
      action: 'UNAUTHORIZE_GUEST_ACCESS',
    });
  }

  async stations(): Promise<UnifiStation[]> {
    const site = await this.site();
    const out: UnifiStation[] = [];
    // Paged (`offset`, `limit`, `totalCount`); a bound on pages keeps a broken answer finite.
    for (let offset = 0, page = 0; page < 100; page++) {
      const res = await this.call('GET', `/sites/${site}/clients?offset=${offset}&limit=200`);
      const b = obj(res.body);
      const data = ((b.data as unknown[] | undefined) ?? []).map(obj);
      for (const c of data) {
        const access = obj(c.access);
        const usage = obj(access.usage);
        const at = Date.parse(String(c.connectedAt ?? ''));
        out.push({
          mac: upperMac(c.macAddress),
          ip: str(c.ipAddress),
          authorized: access.authorized === true,
          connectedAt: Number.isFinite(at) ? Math.floor(at / 1000) : 0,
          uptimeSeconds: num(usage.durationSec),
          bytesIn: num(usage.txBytes),
          bytesOut: num(usage.rxBytes),
        });
      }
      offset += data.length;
      if (data.length === 0 || offset >= num(b.totalCount)) break;
    }
    return out;
  }
}

class LegacyClient implements UnifiClient {
  private cookie: string | null = null;
  private csrf: string | null = null;
  constructor(private readonly o: UnifiOptions) {}

  private get os(): boolean {
    return this.o.kind === 'unifi-os';
  }

  private async login(): Promise<void> {
    const url = new URL(this.os ? '/api/auth/login' : '/api/login', this.o.baseUrl);
    const res = await jsonRequest('POST', url, {
      body: { username: this.o.username ?? '', password: this.o.password ?? '', remember: false },
      fingerprint256: this.o.fingerprint256,
      timeoutMs: this.o.timeoutMs ?? 10_000,
    });
    if (res.status === 400 || res.status === 401 || res.status === 403)
      throw new UnifiError('auth', `the controller refused the login (HTTP ${res.status})`);
    if (res.status < 200 || res.status > 299) throw commonError(res, 'login');
    const set = res.headers['set-cookie'] ?? [];
    this.cookie = set.map((c) => c.split(';')[0]).join('; ') || null;
    this.csrf = str(res.headers['x-csrf-token']) ?? null;
    if (!this.cookie) throw new UnifiError('auth', 'the controller answered the login without a session');
  }

  private async call(method: string, path: string, body?: unknown, again = true): Promise<unknown[]> {
    if (!this.cookie) await this.login();
    const url = new URL(
      `${this.os ? '/proxy/network' : ''}/api/s/${encodeURIComponent(this.o.site)}${path}`,
      this.o.baseUrl,
    );
    const res = await jsonRequest(method, url, {
      headers: {
        cookie: this.cookie ?? '',
        ...(this.os && this.csrf ? { 'x-csrf-token': this.csrf } : {}),
      },
      body,
      fingerprint256: this.o.fingerprint256,
      timeoutMs: this.o.timeoutMs ?? 10_000,
    });
    const updated = str(res.headers['x-updated-csrf-token']);
    if (updated) this.csrf = updated;
    // 401: the session lapsed (controllers drop them after a while, or on restart); 403 on
    // UniFi OS: the CSRF token no longer matches. One fresh login, then the real answer.
    if ((res.status === 401 || (this.os && res.status === 403)) && again) {
      this.cookie = null;
      return this.call(method, path, body, false);
    }
    if (res.status === 401) throw new UnifiError('auth', 'the controller refused the session (HTTP 401)');
    if (res.status === 403)
      throw new UnifiError(
        'csrf',
        'the controller refused the request: CSRF token missing or stale (HTTP 403)',
      );
    const meta = obj(obj(res.body).meta);
    if (meta.msg === 'api.err.UnknownStation' || meta.msg === 'api.err.UnknownUser')
      throw new UnifiError('unknown_mac', `the controller does not know that device (${String(meta.msg)})`);
    if (res.status < 200 || res.status > 299 || meta.rc !== 'ok') throw commonError(res, `${method} ${path}`);
    return ((obj(res.body).data as unknown[] | undefined) ?? []) as unknown[];
  }

  async version(): Promise<string> {
    const [info] = (await this.call('GET', '/stat/sysinfo')).map(obj);
    return str(info?.version) ?? '';
  }

  async authorize(mac: string, l: GuestLimits): Promise<void> {
    await this.call('POST', '/cmd/stamgr', {
      cmd: 'authorize-guest',
      mac: mac.toLowerCase(),
      minutes: l.minutes,
      ...(l.upKbps !== null ? { up: l.upKbps } : {}),
      ...(l.downKbps !== null ? { down: l.downKbps } : {}),
      ...(l.megabytes !== null ? { bytes: l.megabytes } : {}),
    });
  }

  async unauthorize(mac: string): Promise<void> {
    await this.call('POST', '/cmd/stamgr', { cmd: 'unauthorize-guest', mac: mac.toLowerCase() });
  }

  async stations(): Promise<UnifiStation[]> {
    return (await this.call('GET', '/stat/sta')).map(obj).map((s) => ({
      mac: upperMac(s.mac),
      ip: str(s.ip),
      authorized: s.authorized === true,
      connectedAt: num(s.assoc_time),
      uptimeSeconds: num(s.uptime),
      // stat/sta counts from the access point: its rx is the client's upload.
      bytesIn: num(s.rx_bytes),
      bytesOut: num(s.tx_bytes),
    }));
  }
}
