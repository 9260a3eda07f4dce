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

/**
 * Addresses Safaricom's go-live material lists as the sources of Daraja callbacks. Not verified
 * against a primary page and known to change, so a callback from elsewhere is logged, not refused.
 */
export const DARAJA_CALLBACK_IPS: readonly string[] = [
  '196.201.214.200',
  '196.201.214.206',
  '196.201.213.114',
  '196.201.214.207',
  '196.201.214.208',
  '196.201.213.44',
  '196.201.212.127',
  '196.201.212.138',
  '196.201.212.129',
  '196.201.212.136',
  '196.201.212.74',
  '196.201.212.69',
];
