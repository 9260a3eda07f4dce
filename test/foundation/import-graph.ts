/**
 * The import graph of src/, read with the TypeScript compiler's own pre-processor so that every
 * form counts: `import`, `import type`, `export … from`, `import('…')` (also in type positions).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

export const SRC = resolve(import.meta.dirname, '../../src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return sourceFiles(p);
    return /\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name) ? [p] : [];
  });
}

/** Every module specifier a source text names, type-only and dynamic ones included. */
export const importsOf = (text: string): string[] =>
  ts.preProcessFile(text, true, true).importedFiles.map((f) => f.fileName);

/**
 * The specifiers a source text imports for types only: `import type`, `export type … from`, or
 * every named binding marked `type`. A specifier also imported for values is not among them.
 */
export function typeOnlyImportsOf(text: string): Set<string> {
  const typeOnly = new Set<string>();
  for (const st of ts.createSourceFile('x.ts', text, ts.ScriptTarget.Latest).statements) {
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
  const all = importsOf(text);
  // Imported once for types and once for values (or dynamically): a value import.
  for (const s of all) if (all.filter((x) => x === s).length > 1) typeOnly.delete(s);
  return typeOnly;
}

export interface Edge {
  /** The imported file, relative to src/ with forward slashes. */
  to: string;
  typeOnly: boolean;
}

const rel = (p: string) => relative(SRC, p).split('\\').join('/');

/** file (relative to src/) → the src/ files it imports, each marked type-only or not. */
export function importEdges(): Map<string, Edge[]> {
  const edges = new Map<string, Edge[]>();
  for (const file of sourceFiles(SRC)) {
    const text = readFileSync(file, 'utf8');
    const typeOnly = typeOnlyImportsOf(text);
    const seen = new Map<string, Edge>();
    for (const s of importsOf(text)) {
      if (!s.startsWith('.')) continue;
      const to = rel(resolve(dirname(file), s));
      const prev = seen.get(to);
      seen.set(to, { to, typeOnly: (prev?.typeOnly ?? true) && typeOnly.has(s) });
    }
    edges.set(
      rel(file),
      [...seen.values()].sort((a, b) => a.to.localeCompare(b.to)),
    );
  }
  return edges;
}

/** file (relative to src/) → the src/ files it imports. */
export function importGraph(): Map<string, string[]> {
  return new Map([...importEdges()].map(([f, es]) => [f, es.map((e) => e.to)]));
}

/** Strongly connected components with more than one file, or a file importing itself (Tarjan). */
export function cycles(graph: Map<string, string[]>): string[][] {
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
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || graph.get(v)!.includes(v)) out.push(scc.sort());
    }
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v);
  return out;
}
