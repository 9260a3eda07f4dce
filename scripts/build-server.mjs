// Compiles the server to dist/ for production: tsc emits the JavaScript (imports rewritten from
// .ts to .js), then the files the code reads at run time beside itself (migrations, Safaricom's
// certificates, the simulator's keys) are copied next to it. dist/ mirrors src/, so every path
// the code builds from import.meta.url (web/admin/dist among them) resolves the same from both.
import { execFileSync } from 'node:child_process';
import { cpSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, extname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'src');
const out = join(root, 'dist');

rmSync(out, { recursive: true, force: true });
execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
  cwd: root,
  stdio: 'inherit',
});

let copied = 0;
const walk = (dir) => {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (!['.ts', '.tsx'].includes(extname(p))) {
      cpSync(p, join(out, relative(src, p)));
      copied++;
    }
  }
};
walk(src);
console.log(`dist/: compiled server, plus ${copied} data files copied from src/`);
