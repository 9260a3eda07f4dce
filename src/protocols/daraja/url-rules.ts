/**
 * Words Daraja refuses anywhere in a callback URL (any case). A URL with one of them is rejected
 * with `Invalid CallBackURL` or, worse, silently never called; check before registering or pushing.
 */
export const FORBIDDEN_URL_WORDS = [
  'm-pesa',
  'mpesa',
  'safaricom',
  'exec',
  'exe',
  'cmd',
  'sql',
  'query',
] as const;

/** The first forbidden word in `url`, or null when Daraja would accept it. */
export function forbiddenUrlWord(url: string): string | null {
  const lower = url.toLowerCase();
  return FORBIDDEN_URL_WORDS.find((w) => lower.includes(w)) ?? null;
}

/** Why Daraja would reject this callback URL, or null if it is acceptable. */
export function callbackUrlProblem(url: string): string | null {
  if (url !== url.trim() || /\s/.test(url)) return 'contains whitespace';
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return 'is not a URL';
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return 'must be http(s)';
  const word = forbiddenUrlWord(url);
  return word ? `contains the word "${word}", which Daraja refuses` : null;
}
