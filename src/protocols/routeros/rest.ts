/**
 * RouterOS v7 REST client (`/rest/...` on the www/www-ssl service, HTTP Basic auth). Every
 * command goes as `POST /rest/<menu>/<command>` with the attributes as a JSON body: the REST API is
 * a JSON wrapper over the same commands, so this gives exactly the operations of the binary client.
 * All values travel as strings. Self-signed certificates are the norm on routers: trust comes from
 * an optional SHA-256 fingerprint pin, as for the API client.
 */
import http from 'node:http';
import https from 'node:https';
import { jsonRequest } from '../../lib/json-http.ts';
import { RosConnectionError, RosLoginError, RosTrapError } from './errors.ts';
import {
  type AttrValue,
  type ExecOptions,
  type RosResult,
  type Row,
  type RouterOsApi,
  toWire,
} from './types.ts';

export interface RouterOsRestOptions {
  /** e.g. `https://10.0.0.1` or `http://127.0.0.1:8080` (no `/rest`). */
  baseUrl: string;
  username: string;
  password: string;
  fingerprint256?: string | undefined;
  timeoutMs?: number;
}

export interface RestResponse {
  status: number;
  body: unknown;
}

export class RouterOsRestClient implements RouterOsApi {
  private readonly agent: http.Agent;
  private readonly base: URL;
  peerFingerprint256: string | undefined;

  constructor(private readonly o: RouterOsRestOptions) {
    this.base = new URL(o.baseUrl);
    this.agent =
      this.base.protocol === 'https:'
        ? new https.Agent({ keepAlive: true, rejectUnauthorized: false, maxSockets: 4 })
        : new http.Agent({ keepAlive: true, maxSockets: 4 });
  }

  async exec(
    command: string,
    attrs: Record<string, AttrValue> = {},
    opts: ExecOptions = {},
  ): Promise<RosResult> {
    const body: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(attrs)) if (v !== undefined) body[k] = toWire(v);
    if (opts.proplist?.length) body['.proplist'] = opts.proplist.join(',');
    if (opts.query?.length) body['.query'] = opts.query;
    const res = await this.request('POST', `/rest${command}`, body, opts.timeoutMs);
    this.throwIfError(res, command);
    if (Array.isArray(res.body)) return { rows: res.body.map(stringRow), ret: undefined };
    if (res.body && typeof res.body === 'object') {
      const o = stringRow(res.body);
      return 'ret' in o ? { rows: [], ret: o.ret } : { rows: [o], ret: undefined };
    }
    return { rows: [], ret: undefined };
  }

  async close(): Promise<void> {
    this.agent.destroy();
  }

  /** One raw REST call (GET/PUT/PATCH/DELETE/POST), e.g. `request('GET', '/rest/ip/hotspot/user')`. */
  async request(
    method: string,
    path: string,
    body?: unknown,
    timeoutMs = this.o.timeoutMs ?? 10_000,
  ): Promise<RestResponse> {
    const url = new URL(path, this.base);
    const auth = Buffer.from(`${this.o.username}:${this.o.password}`).toString('base64');
    try {
      const res = await jsonRequest(method, url, {
        agent: this.agent,
        headers: { authorization: `Basic ${auth}` },
        body,
        timeoutMs,
        fingerprint256: this.o.fingerprint256,
        onPeerFingerprint: (fp) => {
          this.peerFingerprint256 = fp;
        },
      });
      return { status: res.status, body: res.body };
    } catch (e) {
      throw new RosConnectionError(
        `cannot reach ${url.host} (REST ${method} ${url.pathname}): ${(e as Error).message}`,
      );
    }
  }

  private throwIfError(res: RestResponse, command: string): void {
    if (res.status >= 200 && res.status < 300) return;
    const b = (res.body ?? {}) as { message?: string; detail?: string };
    if (res.status === 401) {
      throw new RosLoginError(
        `login to ${this.base.host} refused (check the user name, password and rest-api policy)`,
      );
    }
    const message = b.detail ?? b.message ?? `HTTP ${res.status}`;
    // 5xx from a proxy in front of the router is an outage, not a refusal.
    if (res.status >= 502 && res.status <= 504) throw new RosConnectionError(`${this.base.host}: ${message}`);
    throw new RosTrapError(message, undefined, command);
  }
}

function stringRow(o: unknown): Row {
  const row: Row = {};
  for (const [k, v] of Object.entries(o as Record<string, unknown>))
    row[k] = typeof v === 'string' ? v : String(v);
  return row;
}
