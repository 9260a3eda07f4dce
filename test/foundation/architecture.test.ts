/**
 * Rules of the code's shape that a reviewer should not have to check by eye: the layers of
 * docs/architecture.md (who may import whom) and no import cycles. Every import in src/ counts,
 * type-only and dynamic ones too, since a type cycle still ties two files together.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cycles, importEdges, importGraph, importsOf, SRC, typeOnlyImportsOf } from './import-graph.ts';

/** Features: folders with a public `index.ts`, which is all another feature may import. */
const FEATURES = new Set([
  'access',
  'admin',
  'alerts',
  'audit',
  'branding',
  'gateways',
  'health',
  'metrics',
  'notify',
  'payments',
  'plans',
  'portal',
  'radius',
  'settings',
  'sim',
  'subscribers',
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
  protocol: ['lib'],
  infra: ['lib', 'infra', 'framework'],
  framework: ['lib', 'protocol', 'infra', 'framework', 'feature'],
  feature: ['lib', 'protocol', 'infra', 'framework', 'feature'],
  wiring: ['lib', 'protocol', 'infra', 'framework', 'feature', 'wiring'],
};

/** Why `from` may not import `to`, or null when it may. */
function violation(from: Place, to: Place, typeOnly = false): string | null {
  if (from.top === to.top && from.layer !== 'framework') return null;
  // lib is as pure as a protocol (no Wavu rules, no I/O of ours), so a codec may use its helpers.
  if (from.layer === 'protocol' && to.layer === 'lib') return null;
  if (from.layer === 'protocol' && to.layer !== 'protocol')
    return 'protocol code imports nothing of ours outside its own folder and lib';
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

describe('the import graph of src/', () => {
  it('sees every kind of import, type-only and dynamic ones too', () => {
    const text = [
      "import { a } from './a.ts';",
      "import type { B } from './b.ts';",
      "import { type C } from './c.ts';",
      "export { d } from './d.ts';",
      "export type { E } from './e.ts';",
      "export * from './f.ts';",
      "import './g.ts';",
      "type H = import('./h.ts').H;",
      "const i = await import('./i.ts');",
    ].join('\n');
    expect(importsOf(text).sort()).toEqual(
      ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'].map((x) => `./${x}.ts`),
    );
  });

  it('finds a cycle of any length, and a file importing itself', () => {
    const g = new Map([
      ['a.ts', ['b.ts']],
      ['b.ts', ['c.ts']],
      ['c.ts', ['a.ts', 'd.ts']],
      ['d.ts', []],
      ['e.ts', ['e.ts']],
    ]);
    expect(cycles(g)).toEqual([['a.ts', 'b.ts', 'c.ts'], ['e.ts']]);
    expect(
      cycles(
        new Map([
          ['a.ts', ['b.ts']],
          ['b.ts', []],
        ]),
      ),
    ).toEqual([]);
  });

  it('tells type-only imports from value imports', () => {
    const text = [
      "import type { A } from './a.ts';",
      "import { type B } from './b.ts';",
      "import { type C, c } from './c.ts';",
      "import { d } from './d.ts';",
      "import type { E } from './e.ts';",
      "import { e } from './e.ts';",
      "export type { F } from './f.ts';",
    ].join('\n');
    expect([...typeOnlyImportsOf(text)].sort()).toEqual(['./a.ts', './b.ts', './f.ts']);
  });

  it('has no import cycles, type-only ones included', () => {
    const g = importGraph();
    expect(g.size).toBeGreaterThan(100); // it read the tree
    expect(cycles(g)).toEqual([]);
  });

  it('every import follows the layers', () => {
    const bad: string[] = [];
    for (const [file, targets] of importEdges()) {
      for (const t of targets) {
        const why = violation(place(file), place(t.to), t.typeOnly);
        if (why) bad.push(`${file} → ${t.to}: ${why}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('each feature has a public index', () => {
    const present = [...FEATURES].filter((f) => existsSync(join(SRC, f)));
    expect(present.filter((f) => !existsSync(join(SRC, f, 'index.ts')))).toEqual([]);
  });

  it('the layer rules catch what they should', () => {
    expect(violation(place('protocols/radius/packet.ts'), place('lib/clock.ts'))).toBeNull();
    expect(violation(place('protocols/radius/packet.ts'), place('access/index.ts'))).toMatch(/protocol/);
    expect(violation(place('protocols/radius/packet.ts'), place('db/open.ts'))).toMatch(/protocol/);
    expect(violation(place('protocols/unifi/client.ts'), place('protocols/routeros/rest.ts'))).toMatch(
      /one protocol/,
    );
    expect(violation(place('payments/credit.ts'), place('access/codes.ts'))).toMatch(/public index/);
    expect(violation(place('payments/credit.ts'), place('access/index.ts'))).toBeNull();
    expect(violation(place('notify/module.ts'), place('sim/index.ts'))).toMatch(/simulators/);
    expect(violation(place('lib/log.ts'), place('db/open.ts'))).toMatch(/lib/);
    expect(violation(place('app/deps.ts'), place('notify/provider.ts'), true)).toBeNull();
    expect(violation(place('app/deps.ts'), place('notify/provider.ts'), false)).toMatch(/types only/);
    expect(violation(place('gateways/cli.ts'), place('app/run.ts'))).toMatch(/wiring/);
  });
});
