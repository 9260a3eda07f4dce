/**
 * API query words for `print`, evaluated as RouterOS does: a stack of booleans, initially
 * "infinitely many true"; each word pushes a result (or rearranges the stack with `#`); the item
 * matches when no `false` is left.
 */
import type { Row } from '../../protocols/routeros/types.ts';

export class QueryError extends Error {}

/**
 * The query as a test of one item. A query that is only `name=value` words joined by `#|` (how
 * Wavu looks up a batch of users: any of these names or comments) is a set lookup; on a simulated
 * router with thousands of users, evaluating its stack per row cost more than the work measured.
 */
export function queryPredicate(words: string[]): (item: Row) => boolean {
  const anyOf = orOfEqualities(words);
  if (!anyOf) return (item) => matchesQuery(item, words);
  return (item) => {
    for (const [name, values] of anyOf) if (values.has(item[name] ?? '')) return true;
    return false;
  };
}

/** Property → accepted values, when the words are a well-formed OR of plain equalities. */
function orOfEqualities(words: string[]): Map<string, Set<string>> | null {
  const out = new Map<string, Set<string>>();
  let depth = 0;
  for (const w of words) {
    if (w === '#|') {
      // Fewer than two on the stack would read RouterOS's implicit `true`: not a plain OR.
      if (depth < 2) return null;
      depth--;
      continue;
    }
    const eq = w.indexOf('=');
    if (eq <= 0 || '#-<>='.includes(w[0]!)) return null;
    const name = w.slice(0, eq);
    const values = out.get(name) ?? new Set<string>();
    values.add(w.slice(eq + 1));
    out.set(name, values);
    depth++;
  }
  return depth === 1 && words.length > 1 ? out : null;
}

export function matchesQuery(item: Row, words: string[]): boolean {
  // The implicit infinite run of `true` below the stack is modelled by reading past the bottom as true.
  const stack: boolean[] = [];
  const at = (i: number) => (i < stack.length ? stack[stack.length - 1 - i]! : true);
  const pop = () => (stack.length ? stack.pop()! : true);
  for (const w of words) {
    if (w[0] === '#') {
      const ops = w.slice(1);
      let i = 0;
      while (i < ops.length) {
        const c = ops[i]!;
        if (/\d/.test(c)) {
          let j = i;
          while (j < ops.length && /\d/.test(ops[j]!)) j++;
          const idx = Number(ops.slice(i, j));
          if (j === ops.length) {
            // digits at the end: the whole stack becomes that one value
            const v = at(idx);
            stack.length = 0;
            stack.push(v);
          } else {
            stack.push(at(idx));
            if (ops[j] === '.') j++; // "." right after an index is a no-op
          }
          i = j;
          continue;
        }
        if (c === '!') stack.push(!pop());
        else if (c === '&') {
          const a = pop();
          const b = pop();
          stack.push(a && b);
        } else if (c === '|') {
          const a = pop();
          const b = pop();
          stack.push(a || b);
        } else if (c === '.') stack.push(at(0));
        else throw new QueryError(`unknown query operation ${c}`);
        i++;
      }
      continue;
    }
    if (w[0] === '-') {
      stack.push(!has(item, w.slice(1)));
      continue;
    }
    const op = w[0] === '<' || w[0] === '>' || w[0] === '=' ? w[0] : '';
    const body = op ? w.slice(1) : w;
    const eq = body.indexOf('=');
    if (eq < 0) {
      if (op) throw new QueryError(`bad query word ?${w}`);
      stack.push(has(item, body));
      continue;
    }
    const name = body.slice(0, eq);
    const value = body.slice(eq + 1);
    const actual = item[name];
    if (op === '<') stack.push(actual !== undefined && compare(actual, value) < 0);
    else if (op === '>') stack.push(actual !== undefined && compare(actual, value) > 0);
    else stack.push((actual ?? '') === value);
  }
  return stack.every(Boolean);
}

const has = (item: Row, name: string) => item[name] !== undefined && item[name] !== '';

function compare(a: string, b: string): number {
  if (/^-?\d+$/.test(a) && /^-?\d+$/.test(b)) return Number(a) - Number(b);
  return a < b ? -1 : a > b ? 1 : 0;
}
