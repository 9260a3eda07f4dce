/**
 * The admin SPA's files: the pre-compressed copy the browser accepts (brotli first, then gzip,
 * else the plain file), always with Vary: Accept-Encoding; hashed assets cached for a year,
 * index.html revalidated.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import Fastify from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { serveSpa } from '../../src/admin/http/spa.ts';

const dir = mkdtempSync(join(tmpdir(), 'wavu-spa-'));
const js = 'console.log("page code");'.repeat(50);
const html = '<!doctype html><title>Wavu admin</title><div id="root"></div>';
mkdirSync(join(dir, 'assets'));
for (const [name, body] of [
  ['assets/index-abc123.js', js],
  ['index.html', html],
] as const) {
  writeFileSync(join(dir, name), body);
  writeFileSync(join(dir, `${name}.br`), brotliCompressSync(body));
  writeFileSync(join(dir, `${name}.gz`), gzipSync(body));
}
const app = Fastify();
serveSpa(app, `${dir}/`);
afterAll(async () => {
  await app.close();
  rmSync(dir, { recursive: true, force: true });
});

const get = (url: string, acceptEncoding?: string) =>
  app.inject({ url, headers: acceptEncoding ? { 'accept-encoding': acceptEncoding } : {} });

describe('admin static files', () => {
  it('sends brotli when accepted, else gzip, else plain, with Vary', async () => {
    const br = await get('/admin/assets/index-abc123.js', 'gzip, deflate, br');
    expect(br.headers['content-encoding']).toBe('br');
    expect(brotliDecompressSync(br.rawPayload).toString()).toBe(js);
    const gz = await get('/admin/assets/index-abc123.js', 'gzip, deflate');
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.rawPayload).toString()).toBe(js);
    const refused = await get('/admin/assets/index-abc123.js', 'br;q=0, gzip');
    expect(refused.headers['content-encoding']).toBe('gzip');
    const plain = await get('/admin/assets/index-abc123.js');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body).toBe(js);
    for (const r of [br, gz, plain]) {
      expect(r.statusCode).toBe(200);
      expect(r.headers.vary).toBe('Accept-Encoding');
      expect(r.headers['content-type']).toBe('text/javascript; charset=utf-8');
      expect(r.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    }
  });

  it('sends index.html compressed too, never cached without revalidating', async () => {
    for (const url of ['/admin', '/admin/routers']) {
      const r = await get(url, 'br');
      expect(r.headers['content-encoding']).toBe('br');
      expect(r.headers['cache-control']).toBe('no-cache');
      expect(r.headers.vary).toBe('Accept-Encoding');
      expect(brotliDecompressSync(r.rawPayload).toString()).toBe(html);
    }
  });
});
