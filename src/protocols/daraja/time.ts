/**
 * Daraja's clock is Kenyan local time (EAT, UTC+3, no daylight saving). The Timestamp sent with an
 * STK push must be byte-identical to the one inside Password, so both are built from one value.
 */
import { eatWallClock, fromEatWallClock } from '../../lib/eat-time.ts';

/** Date → `YYYYMMDDHHmmss` in EAT. */
export function darajaTimestamp(at: Date): string {
  const d = eatWallClock(at);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return (
    p(d.getUTCFullYear(), 4) +
    p(d.getUTCMonth() + 1) +
    p(d.getUTCDate()) +
    p(d.getUTCHours()) +
    p(d.getUTCMinutes()) +
    p(d.getUTCSeconds())
  );
}

/** `YYYYMMDDHHmmss` (EAT, string or the JSON number Daraja sends in callbacks) → Date, or null. */
export function parseDarajaTimestamp(value: unknown): Date | null {
  const s = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '';
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(s);
  if (!m) return null;
  const [, y, mo, d, h, mi, se] = m.map(Number) as number[];
  const date = fromEatWallClock(y!, mo!, d!, h!, mi!, se!);
  // Reject 20260231… and the like: the round trip must give the same digits back.
  return darajaTimestamp(date) === s ? date : null;
}

/** `base64(BusinessShortCode + Passkey + Timestamp)`, plain concatenation. */
export function stkPassword(shortcode: string, passkey: string, timestamp: string): string {
  return Buffer.from(`${shortcode}${passkey}${timestamp}`, 'utf8').toString('base64');
}
