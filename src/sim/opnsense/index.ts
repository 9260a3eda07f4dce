/**
 * OPNsense's captive portal as its API shows it: zones with logged-in clients, reached over real
 * HTTP with an API key and secret as basic auth (anything else is 401, as OPNsense answers).
 * `session/list/{zoneid}` lists a zone's sessions (an unknown zone lists nothing),
 * `session/disconnect/{zoneid}` ends one by `sessionId` (JSON or form body) and answers the
 * ended session with `terminateCause: "User-Request"`, or `{"terminateCause":"UNKNOWN"}` when
 * there was none. `session/zones` maps zone ids to their descriptions.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface OpnsenseSimOptions {
  apiKey: string;
  apiSecret: string;
  /** Zone id → description; default zone 0 "guests". */
  zones?: Record<number, string>;
}

export interface OpnsenseSimSession {
  sessionId: string;
  zoneid: number;
  userName: string;
  ipAddress: string;
  macAddress: string;
  startTime: number;
}

export interface OpnsenseSim {
  url: string;
  /** A client logs in on the portal (as after an Access-Accept). */
  login(o: { zoneId?: number; userName: string; ip: string; mac: string }): OpnsenseSimSession;
  sessions(zoneId?: number): OpnsenseSimSession[];
  /** Requests seen, `METHOD path` (for tests). */
  requests: string[];
  close(): Promise<void>;
}

export async function startOpnsenseSim(o: OpnsenseSimOptions): Promise<OpnsenseSim> {
  const zones = o.zones ?? { 0: 'guests' };
  const sessions = new Map<string, OpnsenseSimSession>();
  const requests: string[] = [];
  const expected = `Basic ${Buffer.from(`${o.apiKey}:${o.apiSecret}`).toString('base64')}`;

  const send = (res: http.ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };

  async function readBody(req: http.IncomingMessage): Promise<Record<string, unknown>> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    if (!text) return {};
    if (String(req.headers['content-type'] ?? '').includes('application/json')) {
      const v = JSON.parse(text) as unknown;
      return v && typeof v === 'object' ? (v as Record<string, unknown>) : {};
    }
    return Object.fromEntries(new URLSearchParams(text));
  }

  const server = http.createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    requests.push(`${req.method} ${path}`);
    if (req.headers.authorization !== expected) {
      // OPNsense's API answers an unknown or wrong key/secret so.
      return send(res, 401, { status: 401, message: 'Authentication Failed' });
    }
    const m = /^\/api\/captiveportal\/session\/(list|disconnect|zones)(?:\/([^/]*))?$/.exec(path);
    if (!m) return send(res, 404, { errorMessage: 'Endpoint not found' });
    const [, action, zoneArg] = m;
    const zoneId = /^\d+$/.test(zoneArg ?? '') ? Number(zoneArg) : action === 'list' ? 0 : null;
    if (action === 'zones') return send(res, 200, zones);
    if (action === 'list') {
      if (req.method !== 'GET') return send(res, 405, { errorMessage: 'method not allowed' });
      if (zoneId === null || !(zoneId in zones)) return send(res, 200, []);
      return send(
        res,
        200,
        [...sessions.values()].filter((s) => s.zoneid === zoneId),
      );
    }
    if (req.method !== 'POST') return send(res, 405, { errorMessage: 'method not allowed' });
    readBody(req)
      .then((b) => {
        const id = typeof b.sessionId === 'string' ? b.sessionId : null;
        if (id === null) return send(res, 200, []);
        const s = sessions.get(id);
        if (!s || (zoneId !== null && s.zoneid !== zoneId))
          return send(res, 200, { terminateCause: 'UNKNOWN' });
        sessions.delete(id);
        send(res, 200, { ...s, terminateCause: 'User-Request' });
      })
      .catch(() => send(res, 400, { errorMessage: 'bad body' }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    login({ zoneId = 0, userName, ip, mac }) {
      const s: OpnsenseSimSession = {
        sessionId: randomUUID().replace(/-/g, '').slice(0, 24),
        zoneid: zoneId,
        userName,
        ipAddress: ip,
        macAddress: mac.toLowerCase(),
        startTime: Date.now() / 1000,
      };
      sessions.set(s.sessionId, s);
      return s;
    },
    sessions: (zoneId) => [...sessions.values()].filter((s) => zoneId === undefined || s.zoneid === zoneId),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
