/**
 * A whole simulated MikroTik: API (plain and optionally TLS), REST façade and hotspot login pages
 * over one in-memory router, with fault modes for tests and demos:
 *   down   — connections are cut and refused (router off or unreachable)
 *   slow   — every API command waits `slowMs` before it runs
 *   reboot — connections cut, live sessions/hosts/cookies lost, configuration kept
 *   reset  — reboot plus configuration back to defaults (users, profiles, bindings gone)
 */
import http from 'node:http';
import type net from 'node:net';
import { type CommandHold, RouterOsApiServer } from './api-server.ts';
import { handleHotspot, handleRest, type SimRequest, type SimResponse } from './http.ts';
import { SimRouter, type SimRouterOptions } from './router.ts';

export { SimRouter } from './router.ts';
export { RouterOsApiServer } from './api-server.ts';
export { handleHotspot, handleRest } from './http.ts';

export type FaultMode = 'none' | 'down' | 'slow' | 'reboot' | 'reset';

export interface SimOptions extends SimRouterOptions {
  host?: string;
  apiPort?: number;
  /** Also serve API-SSL with this key/certificate. */
  tls?: { key: string | Buffer; cert: string | Buffer; port?: number };
  /** Port for REST + hotspot pages; `false` for none. */
  httpPort?: number | false;
  loginHtml?: () => string | undefined;
}

export interface RouterOsSim {
  router: SimRouter;
  apiPort: number;
  tlsPort: number | undefined;
  httpPort: number | undefined;
  fault: FaultMode;
  /** down | slow | none persist; reboot and reset happen at once (then the router is up). */
  setFault(mode: FaultMode, o?: { slowMs?: number }): void;
  /** Answer the next such API command only when released (test hook; the plain API port only). */
  hold(command: string): CommandHold;
  stop(): Promise<void>;
}

export async function startRouterOsSim(o: SimOptions = {}): Promise<RouterOsSim> {
  const router = new SimRouter(o);
  const host = o.host ?? '127.0.0.1';
  const api = new RouterOsApiServer({ router, host, port: o.apiPort ?? 0 });
  const apiPort = await api.start();
  const tlsApi = o.tls
    ? new RouterOsApiServer({
        router,
        host,
        port: o.tls.port ?? 0,
        tls: { key: o.tls.key, cert: o.tls.cert },
      })
    : null;
  const tlsPort = tlsApi ? await tlsApi.start() : undefined;
  const servers = [api, ...(tlsApi ? [tlsApi] : [])];

  let fault: FaultMode = 'none';
  let httpServer: http.Server | null = null;
  const httpSockets = new Set<net.Socket>();

  const sim: RouterOsSim = {
    router,
    apiPort,
    tlsPort,
    httpPort: undefined,
    get fault() {
      return fault;
    },
    setFault(mode, f = {}) {
      if (mode === 'reboot' || mode === 'reset') {
        for (const s of servers) s.dropAll();
        for (const s of httpSockets) s.destroy();
        if (mode === 'reboot') router.reboot();
        else router.reset();
        fault = 'none';
        for (const s of servers) s.setFault('none');
        return;
      }
      fault = mode;
      for (const s of servers) s.setFault(mode, f.slowMs);
      if (mode === 'down') for (const s of httpSockets) s.destroy();
    },
    hold: (command) => api.hold(command),
    async stop() {
      for (const s of servers) await s.close();
      for (const s of httpSockets) s.destroy();
      if (httpServer) await new Promise<void>((r) => httpServer!.close(() => r()));
    },
  };

  if (o.httpPort !== false) {
    httpServer = http.createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (fault === 'down' && !url.pathname.startsWith('/_sim/')) {
        req.socket.destroy();
        return;
      }
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const type = req.headers['content-type'] ?? '';
        let body: unknown = {};
        try {
          if (type.includes('json') && raw) body = JSON.parse(raw);
          else if (raw) body = Object.fromEntries(new URLSearchParams(raw));
        } catch {
          return send(res, {
            status: 400,
            headers: { 'content-type': 'application/json' },
            body: '{"error":400,"message":"Bad Request"}',
          });
        }
        const sreq: SimRequest = {
          method: req.method ?? 'GET',
          path: url.pathname,
          query: Object.fromEntries(url.searchParams),
          body,
          headers: req.headers as Record<string, string | undefined>,
        };
        if (url.pathname === '/_sim/fault' && req.method === 'POST') {
          const mode = String((body as Record<string, unknown>).mode ?? '') as FaultMode;
          if (!['none', 'down', 'slow', 'reboot', 'reset'].includes(mode)) {
            return send(res, {
              status: 400,
              headers: {},
              body: 'mode must be none, down, slow, reboot or reset\n',
            });
          }
          sim.setFault(mode);
          return send(res, { status: 200, headers: {}, body: `fault: ${mode}\n` });
        }
        if (url.pathname.startsWith('/rest/') || url.pathname === '/rest')
          return send(res, handleRest(router, sreq));
        return send(
          res,
          handleHotspot(router, sreq, { basePath: '', loginHtml: o.loginHtml ?? (() => undefined) }),
        );
      });
    });
    httpServer.on('connection', (s) => {
      httpSockets.add(s);
      s.on('close', () => httpSockets.delete(s));
    });
    await new Promise<void>((resolve, reject) => {
      httpServer!.once('error', reject);
      httpServer!.listen(o.httpPort || 0, host, () => resolve());
    });
    sim.httpPort = (httpServer.address() as net.AddressInfo).port;
  }
  return sim;
}

function send(res: http.ServerResponse, r: SimResponse): void {
  res.writeHead(r.status, r.headers);
  res.end(r.body);
}
