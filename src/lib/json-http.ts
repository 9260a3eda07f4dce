/**
 * One JSON request over HTTP(S) to a device's management API (RouterOS REST, a UniFi controller).
 * Devices mostly serve self-signed certificates, so trust can come from a SHA-256 fingerprint pin
 * checked as soon as TLS is up (before any request byte is sent). A body that is not JSON (a
 * proxy's error page) is kept as text for the caller's message.
 */
import http from 'node:http';
import https from 'node:https';
import type tls from 'node:tls';

export interface JsonResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: unknown;
}

export interface JsonRequestOptions {
  headers?: Record<string, string>;
  body?: unknown;
  timeoutMs: number;
  agent?: http.Agent;
  /** Accept only a certificate with this SHA-256 fingerprint (any separators, any case). */
  fingerprint256?: string | undefined;
  /** Told the peer's certificate fingerprint on each new TLS connection. */
  onPeerFingerprint?: (fingerprint256: string | undefined) => void;
}

const norm = (fp: string) => fp.replace(/[^0-9a-f]/gi, '').toLowerCase();

export function jsonRequest(method: string, url: URL, o: JsonRequestOptions): Promise<JsonResponse> {
  const payload = o.body === undefined ? undefined : Buffer.from(JSON.stringify(o.body));
  const secure = url.protocol === 'https:';
  const mod = secure ? https : http;
  return new Promise<JsonResponse>((resolve, reject) => {
    const req = mod.request(
      url,
      {
        method,
        ...(o.agent ? { agent: o.agent } : {}),
        // A pin replaces the CA check; without one the certificate must verify as usual (an
        // agent brings its own TLS settings).
        ...(secure && !o.agent ? { rejectUnauthorized: !o.fingerprint256 } : {}),
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
            // not JSON: kept as text
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
        });
        res.on('error', reject);
      },
    );
    req.setTimeout(o.timeoutMs, () => req.destroy(new Error(`no answer within ${o.timeoutMs} ms`)));
    req.on('socket', (s) => {
      if (!secure) return;
      (s as tls.TLSSocket).once('secureConnect', () => {
        const fp = (s as tls.TLSSocket).getPeerCertificate()?.fingerprint256;
        o.onPeerFingerprint?.(fp);
        if (o.fingerprint256 && norm(fp ?? '') !== norm(o.fingerprint256)) {
          req.destroy(new Error(`certificate does not match the pinned fingerprint (got ${fp})`));
        }
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}
