/** Rules of the code's shape that a reviewer should not have to check by eye. */
import { describe, expect, it } from 'vitest';
import { cycles, importGraph, importsOf } from './import-graph.ts';

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

  it('has no import cycles, type-only ones included', () => {
    const g = importGraph();
    expect(g.size).toBeGreaterThan(100); // it read the tree
    expect(cycles(g)).toEqual([]);
  });
});
