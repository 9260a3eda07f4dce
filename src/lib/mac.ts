/**
 * The one MAC normaliser. MACs reach us from the hotspot page, the admin API, RADIUS (in whatever
 * `radius-mac-format` the gateway uses) and the CLI; we store and compare them in one form,
 * AA:BB:CC:DD:EE:FF (the access_devices CHECK), so every entry point goes through here.
 *
 * Accepted, any case, surrounding spaces ignored: bare 12 hex digits; pairs joined by one
 * separator used throughout (`:`, `-`, `.` or a space); Cisco-style triples of four (`.`, `:` or
 * `-`); two halves of six (`-` or `:`). A mix of separators is refused: it is a typo more often
 * than a format.
 */
const FORMS = [
  /^[0-9a-f]{12}$/i,
  /^[0-9a-f]{2}([:. -])[0-9a-f]{2}(?:\1[0-9a-f]{2}){4}$/i,
  /^[0-9a-f]{4}([.:-])[0-9a-f]{4}\1[0-9a-f]{4}$/i,
  /^[0-9a-f]{6}[-:][0-9a-f]{6}$/i,
];

/** The canonical form: upper case, colon-separated pairs. */
export const CANONICAL_MAC = /^[0-9A-F]{2}(:[0-9A-F]{2}){5}$/;

/** Any accepted spelling → AA:BB:CC:DD:EE:FF; anything else (or nothing) → null. */
export function normalizeMac(input: string | null | undefined): string | null {
  if (typeof input !== 'string') return null;
  const s = input.trim();
  if (!FORMS.some((f) => f.test(s))) return null;
  return s
    .replace(/[^0-9a-fA-F]/g, '')
    .toUpperCase()
    .match(/../g)!
    .join(':');
}
