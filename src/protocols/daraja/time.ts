/**
 * Daraja's clock is Kenyan local time (Africa/Nairobi). The Timestamp sent with an STK push must be
 * byte-identical to the one inside Password, so both are built from one value. The zone is named,
 * not computed, so this wire code needs nothing of ours (Wavu's own EAT helpers are lib/eat-time.ts).
 */
const NAIROBI = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Africa/Nairobi',
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

/** Date → `YYYYMMDDHHmmss` in Nairobi time. */
export function darajaTimestamp(at: Date): string {
  const part = Object.fromEntries(NAIROBI.formatToParts(at).map((p) => [p.type, p.value]));
  return `${part.year}${part.month}${part.day}${part.hour}${part.minute}${part.second}`;
}

/** `YYYYMMDDHHmmss` (EAT, string or the JSON number Daraja sends in callbacks) → Date, or null. */
export function parseDarajaTimestamp(value: unknown): Date | null {
  const s = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '';
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(s);
  if (!m) return null;
  // Nairobi has kept UTC+3 all year since 1960, which is what Daraja's own documentation says.
  const date = new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}+03:00`);
  if (Number.isNaN(date.getTime())) return null;
  // Reject 20260231… and the like: the round trip must give the same digits back.
  return darajaTimestamp(date) === s ? date : null;
}

/** `base64(BusinessShortCode + Passkey + Timestamp)`, plain concatenation. */
export function stkPassword(shortcode: string, passkey: string, timestamp: string): string {
  return Buffer.from(`${shortcode}${passkey}${timestamp}`, 'utf8').toString('base64');
}
