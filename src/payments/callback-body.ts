/**
 * A Daraja callback body as received. The callback routes parse it themselves (not with the
 * server's JSON parser) so that whatever arrives is stored and answered the Daraja way, never
 * refused with an error page: invalid JSON, and JSON that PostgreSQL's jsonb cannot hold, are kept
 * as text instead.
 */

/** Daraja's bodies are about 5 levels deep; anything far deeper is not from Daraja. */
export const MAX_JSON_DEPTH = 32;

export interface CallbackBody {
  /** The raw text, with NUL characters escaped (a text column cannot hold them). */
  text: string;
  /** The parsed value when the text is JSON that jsonb can hold; `undefined` otherwise. */
  json: unknown;
}

export function readCallbackBody(raw: string | undefined): CallbackBody {
  const text = (raw ?? '').replaceAll('\u0000', '\\u0000');
  let json: unknown;
  try {
    json = JSON.parse(raw ?? '');
  } catch {
    return { text, json: undefined };
  }
  return { text, json: jsonbCanHold(json) ? json : undefined };
}

// A UTF-16 surrogate without its other half (JSON allows the escape; jsonb and UTF-8 do not).
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const unstorable = (s: string) => s.includes('\u0000') || LONE_SURROGATE.test(s);

/**
 * jsonb refuses `\u0000` and lone surrogates in strings (keys too), and PostgreSQL runs out of
 * stack on very deep nesting. Walked without recursion, so no body can overflow our stack either.
 */
export function jsonbCanHold(value: unknown): boolean {
  const stack: { v: unknown; depth: number }[] = [{ v: value, depth: 0 }];
  while (stack.length) {
    const { v, depth } = stack.pop()!;
    if (typeof v === 'string') {
      if (unstorable(v)) return false;
      continue;
    }
    if (v === null || typeof v !== 'object') continue;
    if (depth >= MAX_JSON_DEPTH) return false;
    for (const [k, child] of Object.entries(v)) {
      if (unstorable(k)) return false;
      stack.push({ v: child, depth: depth + 1 });
    }
  }
  return true;
}
