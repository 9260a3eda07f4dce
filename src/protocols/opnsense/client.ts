/**
 * OPNsense's captive-portal API, the part that ends a session: list a zone's sessions
 * (`GET /api/captiveportal/session/list/{zoneid}`) and disconnect one by its sessionId
 * (`POST /api/captiveportal/session/disconnect/{zoneid}`, form field or JSON `sessionId`). The API
 * key and secret go as HTTP basic auth (key as user, secret as password); a wrong pair is 401.
 * A disconnect of a session already gone answers `{"terminateCause":"UNKNOWN"}`.
 */
import { type JsonResponse, jsonRequest } from '../../lib/json-http.ts';

export interface OpnsenseOptions {
  baseUrl: string;
  apiKey: string;
  apiSecret: string;
  fingerprint256?: string | undefined;
  timeoutMs?: number;
}

/** One captive-portal session as `session/list` reports it. */
export interface OpnsenseSession {
  sessionId: string;
  userName: string;
  ipAddress: string;
  macAddress: string;
}

export type OpnsenseErrorKind = 'auth' | 'http';

export class OpnsenseError extends Error {
  constructor(
    readonly kind: OpnsenseErrorKind,
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'OpnsenseError';
  }
}

export interface OpnsenseClient {
  sessions(zoneId: number): Promise<OpnsenseSession[]>;
  /** True when a session was ended, false when there was none of that id. */
  disconnect(zoneId: number, sessionId: string): Promise<boolean>;
}

export function opnsenseClient(o: OpnsenseOptions): OpnsenseClient {
  const auth = `Basic ${Buffer.from(`${o.apiKey}:${o.apiSecret}`).toString('base64')}`;
  const call = async (method: string, path: string, body?: unknown): Promise<JsonResponse> => {
    const r = await jsonRequest(method, new URL(path, `${o.baseUrl.replace(/\/$/, '')}/`), {
      headers: { authorization: auth },
      body,
      fingerprint256: o.fingerprint256,
      timeoutMs: o.timeoutMs ?? 5_000,
    });
    if (r.status === 401 || r.status === 403)
      throw new OpnsenseError('auth', `OPNsense refused the API key and secret (HTTP ${r.status})`, r.status);
    if (r.status < 200 || r.status > 299)
      throw new OpnsenseError('http', `OPNsense answered HTTP ${r.status} to ${method} ${path}`, r.status);
    return r;
  };
  return {
    async sessions(zoneId) {
      const r = await call('GET', `api/captiveportal/session/list/${zoneId}`);
      // An unknown zone is an empty answer ([] or {}), as on OPNsense itself.
      const rows = Array.isArray(r.body) ? r.body : [];
      return rows.flatMap((x: Record<string, unknown>) =>
        typeof x?.sessionId === 'string'
          ? [
              {
                sessionId: x.sessionId,
                userName: String(x.userName ?? ''),
                ipAddress: String(x.ipAddress ?? ''),
                macAddress: String(x.macAddress ?? '').toUpperCase(),
              },
            ]
          : [],
      );
    },
    async disconnect(zoneId, sessionId) {
      const r = await call('POST', `api/captiveportal/session/disconnect/${zoneId}`, { sessionId });
      const cause = (r.body as { terminateCause?: unknown } | null)?.terminateCause;
      return typeof cause === 'string' && cause !== 'UNKNOWN';
    },
  };
}
