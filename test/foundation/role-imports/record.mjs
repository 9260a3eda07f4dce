// Preloaded with `node --import` by role-imports.test.ts: records every module the process loads
// (ES modules as they resolve, CommonJS ones from require's cache at exit) into ROLE_IMPORTS_OUT.
import { appendFileSync, writeFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';
import { pathToFileURL } from 'node:url';
import { MessageChannel } from 'node:worker_threads';

const out = process.env.ROLE_IMPORTS_OUT;
writeFileSync(out, '');
const { port1, port2 } = new MessageChannel();
port1.on('message', (url) => appendFileSync(out, `${url}\n`));
port1.unref();
register(new URL('./hooks.mjs', import.meta.url), { data: { port: port2 }, transferList: [port2] });
const cache = createRequire(import.meta.url).cache;
process.on('exit', () => {
  const files = Object.keys(cache).map((f) => pathToFileURL(f).href);
  appendFileSync(out, files.length ? `${files.join('\n')}\n` : '');
});
