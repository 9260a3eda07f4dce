/**
 * Serves the built admin SPA (web/admin/dist) at /admin. Vite names assets by content hash, so
 * they are cached for a year; index.html is revalidated every time so a deploy shows at once.
 * Any other /admin/... path gets index.html (client-side routes).
 */
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';

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

function secure(reply: FastifyReply) {
  return reply
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'same-origin')
    .header('x-frame-options', 'DENY');
}

export function serveSpa(app: FastifyInstance, dir = SPA_DIR): void {
  const index = async (reply: FastifyReply) => {
    const html = await file(join(dir, 'index.html'));
    if (!html) {
      return reply
        .code(503)
        .type('text/plain; charset=utf-8')
        .send('The admin dashboard is not built yet. Run `npm run build:admin` (npm start does it for you).');
    }
    return secure(reply)
      .header('cache-control', 'no-cache')
      .header('content-security-policy', CSP)
      .type(TYPES['.html']!)
      .send(html);
  };
  app.get('/admin', async (_req, reply) => index(reply));
  app.get('/admin/*', async (req, reply) => {
    const rel = decodeURIComponent((req.params as { '*': string })['*'] ?? '');
    const target = normalize(join(dir, rel));
    if (rel && target.startsWith(dir.endsWith(sep) ? dir : dir + sep) && extname(target)) {
      const body = await file(target);
      if (body) {
        const hashed = rel.startsWith('assets/');
        return secure(reply)
          .header('cache-control', hashed ? 'public, max-age=31536000, immutable' : 'no-cache')
          .type(TYPES[extname(target)] ?? 'application/octet-stream')
          .send(body);
      }
      if (rel.startsWith('assets/')) return reply.code(404).type('text/plain').send('Not found');
    }
    return index(reply);
  });
}
