/**
 * Serves the built admin SPA (web/admin/dist) at /admin. Vite names assets by content hash, so
 * they are cached for a year; index.html is revalidated every time so a deploy shows at once.
 * Any other /admin/... path gets index.html (client-side routes).
 *
 * The build writes a brotli (.br) and a gzip (.gz) copy of every text file (web/admin/vite.config.ts):
 * the best one the browser accepts is sent as is, with Vary so caches keep them apart. Nothing is
 * compressed per request.
 */
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

export const SPA_DIR = fileURLToPath(new URL('../../../web/admin/dist/', import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.txt': 'text/plain; charset=utf-8',
};

const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

async function file(path: string): Promise<Buffer | null> {
  try {
    if (!(await stat(path)).isFile()) return null;
    return await readFile(path);
  } catch {
    return null;
  }
}

/** Which encodings the request accepts (a q=0 entry refuses one). */
function accepts(req: FastifyRequest, coding: 'br' | 'gzip'): boolean {
  const header = String(req.headers['accept-encoding'] ?? '');
  return header.split(',').some((part) => {
    const [name, ...params] = part.trim().split(';');
    const q = params.find((p) => p.trim().startsWith('q='));
    return name!.trim().toLowerCase() === coding && (!q || Number(q.trim().slice(2)) > 0);
  });
}

/** The file at `path`, as its pre-compressed copy when the browser takes one. */
async function encoded(
  req: FastifyRequest,
  path: string,
): Promise<{ body: Buffer; encoding?: 'br' | 'gzip' } | null> {
  for (const [coding, ext] of [
    ['br', '.br'],
    ['gzip', '.gz'],
  ] as const) {
    if (!accepts(req, coding)) continue;
    const body = await file(path + ext);
    if (body) return { body, encoding: coding };
  }
  const body = await file(path);
  return body && { body };
}

function send(reply: FastifyReply, f: { body: Buffer; encoding?: string }) {
  reply.header('vary', 'Accept-Encoding');
  if (f.encoding) reply.header('content-encoding', f.encoding);
  return reply.send(f.body);
}

function secure(reply: FastifyReply) {
  return reply
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'same-origin')
    .header('x-frame-options', 'DENY');
}

export function serveSpa(app: FastifyInstance, dir = SPA_DIR): void {
  const index = async (req: FastifyRequest, reply: FastifyReply) => {
    const html = await encoded(req, join(dir, 'index.html'));
    if (!html) {
      return reply
        .code(503)
        .type('text/plain; charset=utf-8')
        .send('The admin dashboard is not built yet. Run `npm run build:admin` (npm start does it for you).');
    }
    secure(reply)
      .header('cache-control', 'no-cache')
      .header('content-security-policy', CSP)
      .type(TYPES['.html']!);
    return send(reply, html);
  };
  app.get('/admin', async (req, reply) => index(req, reply));
  app.get('/admin/*', async (req, reply) => {
    const rel = decodeURIComponent((req.params as { '*': string })['*'] ?? '');
    const target = normalize(join(dir, rel));
    if (rel && target.startsWith(dir.endsWith(sep) ? dir : dir + sep) && extname(target)) {
      const found = await encoded(req, target);
      if (found) {
        const hashed = rel.startsWith('assets/');
        secure(reply)
          .header('cache-control', hashed ? 'public, max-age=31536000, immutable' : 'no-cache')
          .type(TYPES[extname(target)] ?? 'application/octet-stream');
        return send(reply, found);
      }
      if (rel.startsWith('assets/')) return reply.code(404).type('text/plain').send('Not found');
    }
    return index(req, reply);
  });
}
