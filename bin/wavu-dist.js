#!/usr/bin/env node
// Production entry: the compiled server from `npm run build` (dist/), with no TypeScript loader in
// the process. `bin/wavu.js` runs the sources directly and stays the entry for the demo and dev.
import { existsSync } from 'node:fs';

const main = new URL('../dist/main.js', import.meta.url);
if (!existsSync(main)) {
  console.error('dist/ is missing: run `npm run build` first (or use bin/wavu.js, which runs the sources).');
  process.exit(1);
}
await import(main.href);
