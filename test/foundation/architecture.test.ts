/**
 * The layers of docs/architecture.md, enforced. Every import in src/ (type-only and dynamic ones
 * included, since a type cycle still ties two files together) is read with the TypeScript
 * preprocessor and checked against the rules below; the picture in the doc and this table must
 * agree.
 */
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = path.resolve(import.meta.dirname, '../../src');

/** Features: folders with a public `index.ts`, which is all another feature may import. */
const FEATURES = new Set([
  'access',
  'admin',
  'audit',
  'gateways',
  'health',
  'notify',
  'payments',
  'plans',
  'portal',
  'radius',
  'sim',
  'vouchers',
]);

/**
 * The shared framework a feature builds on. `app/deps.ts` and `app/module.ts` are the contract a
 * feature plugs into; the rest of `app/` and `cli/` is wiring, above every feature.
 */
const FRAMEWORK = new Set(['app/deps.ts', 'app/module.ts', 'cli/command.ts', 'config.ts']);
const INFRA = new Set(['db', 'http', 'jobs']);

type Layer = 'lib' | 'protocol' | 'infra' | 'framework' | 'feature' | 'wiring';

interface Place {
  rel: string;
  top: string;
  layer: Layer;
}

function place(rel: string): Place {
  const top = rel.includes('/') ? rel.slice(0, rel.indexOf('/')) : rel;
  if (top === 'lib') return { rel, top, layer: 'lib' };
  if (top === 'protocols') return { rel, top: rel.split('/').slice(0, 2).join('/'), layer: 'protocol' };
  if (FRAMEWORK.has(rel)) return { rel, top, layer: 'framework' };
  if (INFRA.has(top)) return { rel, top, layer: 'infra' };
  if (FEATURES.has(top)) return { rel, top, layer: 'feature' };
  return { rel, top, layer: 'wiring' };
}

/** Which layers a layer may import (besides itself, subject to the per-layer checks below). */
const MAY_IMPORT: Record<Layer, Layer[]> = {
  lib: [],
  protocol: [],
  infra: ['lib', 'infra', 'framework'],
  framework: ['lib', 'protocol', 'infra', 'framework', 'feature'],
  feature: ['lib', 'protocol', 'infra', 'framework', 'feature'],
  wiring: ['lib', 'protocol', 'infra', 'framework', 'feature', 'wiring'],
};

function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) sourceFiles(p, out);
    else if (/\.tsx?$/.test(e.name) && !/\.test\.tsx?$/.test(e.name)) out.push(p);
  }
  return out;
}

interface Edge {
  to: string;
  /** `import type` / `export type`, or every named binding marked `type`. */
  typeOnly: boolean;
}

/** Relative imports of a file (static, re-exports and dynamic `import()`), resolved under src/. */
function importsOf(file: string): Edge[] {
  const text = fs.readFileSync(file, 'utf8');
  const typeOnly = new Set<string>();
  for (const st of ts.createSourceFile(file, text, ts.ScriptTarget.Latest).statements) {
    if (ts.isImportDeclaration(st) && ts.isStringLiteral(st.moduleSpecifier)) {
      const c = st.importClause;
      const named = c?.namedBindings && ts.isNamedImports(c.namedBindings) ? c.namedBindings.elements : [];
      if (c && (c.isTypeOnly || (!c.name && named.length > 0 && named.every((e) => e.isTypeOnly))))
        typeOnly.add(st.moduleSpecifier.text);
    } else if (ts.isExportDeclaration(st) && st.moduleSpecifier && ts.isStringLiteral(st.moduleSpecifier)) {
      const named = st.exportClause && ts.isNamedExports(st.exportClause) ? st.exportClause.elements : [];
      if (st.isTypeOnly || (named.length > 0 && named.every((e) => e.isTypeOnly)))
        typeOnly.add(st.moduleSpecifier.text);
    }
  }
  const all = ts.preProcessFile(text, true, true).importedFiles.map((f) => f.fileName);
  // A module imported both ways counts as a value import.
  const values = new Set(all.filter((f) => !typeOnly.has(f)));
  return [...new Set(all)]
    .filter((f) => f.startsWith('.'))
    .map((f) => ({
      to: path
        .relative(SRC, path.resolve(path.dirname(file), f))
        .split(path.sep)
        .join('/'),
      typeOnly: !values.has(f),
    }));
}

const edges = new Map<string, Edge[]>(
  sourceFiles(SRC).map((f) => [path.relative(SRC, f).split(path.sep).join('/'), importsOf(f)]),
);

const graph = new Map([...edges].map(([f, es]) => [f, es.map((e) => e.to)]));

/** Why `from` may not import `to`, or null when it may. */
function violation(from: Place, to: Place, typeOnly = false): string | null {
  if (from.top === to.top && from.layer !== 'framework') return null;
  if (from.layer === 'protocol' && to.layer !== 'protocol')
    return 'protocol code imports nothing of ours outside its own folder';
  if (from.layer === 'protocol') return 'one protocol does not import another';
  if (from.layer === 'lib') return 'lib imports nothing of ours outside lib';
  if (!MAY_IMPORT[from.layer].includes(to.layer)) return `${from.layer} may not import ${to.layer}`;
  // The contract may name a feature's service types; building them is wiring's job.
  if (from.layer === 'framework' && to.layer === 'feature')
    return typeOnly ? null : 'framework imports feature types only';
  if (from.layer === 'feature' && to.layer === 'feature' && to.rel !== `${to.top}/index.ts`)
    return `another feature's public index only (${to.top}/index.ts)`;
  if (from.top !== 'sim' && from.layer !== 'wiring' && to.top === 'sim')
    return 'only wiring may use the simulators';
  return null;
}

/** Strongly connected components with more than one file (Tarjan). */
function cycles(g: Map<string, string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of g.get(v) ?? []) {
      if (!g.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const c: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        c.push(w);
      } while (w !== v);
      if (c.length > 1) out.push(c.sort());
    }
  };
  for (const v of g.keys()) if (!index.has(v)) visit(v);
  return out;
}

describe('architecture', () => {
  it('reads the whole tree', () => {
    expect(graph.size).toBeGreaterThan(150);
    expect(graph.get('payments/credit.ts')?.length).toBeGreaterThan(0);
  });

  it('every import follows the layers', () => {
    const bad: string[] = [];
    for (const [file, targets] of edges) {
      for (const t of targets) {
        const why = violation(place(file), place(t.to), t.typeOnly);
        if (why) bad.push(`${file} → ${t.to}: ${why}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('has no import cycles, type-only ones included', () => {
    expect(cycles(graph)).toEqual([]);
  });

  it('each feature has a public index', () => {
    const present = [...FEATURES].filter((f) => fs.existsSync(path.join(SRC, f)));
    const missing = present.filter((f) => !graph.has(`${f}/index.ts`));
    expect(missing).toEqual([]);
  });

  it('the checker itself catches what it should', () => {
    expect(violation(place('protocols/radius/packet.ts'), place('lib/clock.ts'))).toMatch(/protocol/);
    expect(violation(place('payments/credit.ts'), place('access/codes.ts'))).toMatch(/public index/);
    expect(violation(place('payments/credit.ts'), place('access/index.ts'))).toBeNull();
    expect(violation(place('notify/module.ts'), place('sim/index.ts'))).toMatch(/simulators/);
    expect(violation(place('lib/log.ts'), place('db/open.ts'))).toMatch(/lib/);
    expect(violation(place('app/deps.ts'), place('notify/provider.ts'), true)).toBeNull();
    expect(violation(place('app/deps.ts'), place('notify/provider.ts'), false)).toMatch(/types only/);
    expect(
      cycles(
        new Map([
          ['a', ['b']],
          ['b', ['a']],
          ['c', ['a']],
        ]),
      ),
    ).toEqual([['a', 'b']]);
  });
});
