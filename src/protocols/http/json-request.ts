/**
 * One JSON request to a gateway's HTTP API (UniFi, OPNsense). These mostly serve a self-signed
 * certificate: with a SHA-256 fingerprint pin that certificate is trusted (and nothing else);
 * without one the certificate must verify as usual.
 */
import http from 'node:http';
import https from 'node:https';
import type tls from 'node:tls';

export interface JsonResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: unknown;
}

export interface RequestOptions {
  headers?: Record<string, string>;
  body?: unknown;
  fingerprint256?: string | undefined;
  timeoutMs: number;
}

const norm = (fp: string) => fp.replace(/[^0-9a-f]/gi, '').toLowerCase();

export function jsonRequest(method: string, url: URL, o: RequestOptions): Promise<JsonResponse> {
  const payload = o.body === undefined ? undefined : Buffer.from(JSON.stringify(o.body));
  const secure = url.protocol === 'https:';
  const mod = secure ? https : http;
  return new Promise<JsonResponse>((resolve, reject) => {
    const req = mod.request(
      url,
      {
        method,
        timeout: o.timeoutMs,
        ...(secure ? { rejectUnauthorized: !o.fingerprint256 } : {}),
        headers: {
          accept: 'application/json',
          ...o.headers,
          ...(payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown = text;
          try {
            body = text ? JSON.parse(text) : null;
          } catch {
            // not JSON (a proxy's error page): kept as text for the message
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${o.timeoutMs} ms`)));
    req.on('socket', (s) => {
      if (!secure || !o.fingerprint256) return;
      (s as tls.TLSSocket).once('secureConnect', () => {
        const fp = (s as tls.TLSSocket).getPeerCertificate()?.fingerprint256 ?? '';
        if (norm(fp) !== norm(o.fingerprint256!)) {
          req.destroy(new Error(`certificate does not match the pinned fingerprint (got ${fp})`));
        }
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}
