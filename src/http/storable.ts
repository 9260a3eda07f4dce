/**
 * PostgreSQL cannot hold U+0000 in text or jsonb, nor a lone UTF-16 surrogate in jsonb: a string
 * like that reaches the database as an error, which would be answered with a 500. `storable`
 * refuses it up front, anywhere in a request's params, query or body (keys included), naming the
 * field, so the caller gets a 400 `validation` and nothing is half-done.
 */
import { z } from 'zod';

const LONE_SURROGATE = /\p{Cs}/u;

function problem(s: string): string | null {
  if (s.includes('\u0000')) return 'must not contain a NUL character';
  if (LONE_SURROGATE.test(s)) return 'is not valid Unicode text';
  return null;
}

export const storable = z.unknown().superRefine((value, ctx) => {
  // An explicit stack rather than recursion: a deeply nested JSON body must not overflow it.
  const stack: { v: unknown; path: (string | number)[] }[] = [{ v: value, path: [] }];
  while (stack.length) {
    const { v, path } = stack.pop()!;
    if (typeof v === 'string') {
      const p = problem(v);
      if (p) ctx.addIssue({ code: 'custom', path, message: p });
    } else if (Array.isArray(v)) {
      for (const [i, x] of v.entries()) stack.push({ v: x, path: [...path, i] });
    } else if (v !== null && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        const p = problem(k);
        if (p) ctx.addIssue({ code: 'custom', path, message: `a field name ${p}` });
        else stack.push({ v: x, path: [...path, k] });
      }
    }
  }
});
