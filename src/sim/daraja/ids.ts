/** Daraja-looking identifiers (shapes taken from published samples). */
import { randomBytes } from 'node:crypto';
import { eatWallClock } from '../../lib/eat-time.ts';

const hex = (n: number) =>
  randomBytes(Math.ceil(n / 2))
    .toString('hex')
    .slice(0, n);
const digits = (n: number) => Array.from(randomBytes(n), (b) => String(b % 10)).join('');
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** e.g. `2654-4b64-97ff-b827b542881d3130` */
export const merchantRequestId = () => `${hex(4)}-${hex(4)}-${hex(4)}-${hex(12)}${digits(4)}`;

/** `ws_CO_` + DDMMYYYYHHmmss + ms + MSISDN without 254, in EAT. */
export function checkoutRequestId(at: Date, phone: string): string {
  const d = eatWallClock(at);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `ws_CO_${p(d.getUTCDate())}${p(d.getUTCMonth() + 1)}${d.getUTCFullYear()}${p(d.getUTCHours())}${p(
    d.getUTCMinutes(),
  )}${p(d.getUTCSeconds())}${p(d.getUTCMilliseconds(), 3)}${phone.replace(/^254/, '')}`;
}

/** 10 characters; the first three encode the date (year letter from L=2017, month A–L, day base 36). */
export function receiptNumber(at: Date): string {
  const d = eatWallClock(at);
  const year = String.fromCharCode('L'.charCodeAt(0) + (d.getUTCFullYear() - 2017));
  const month = String.fromCharCode('A'.charCodeAt(0) + d.getUTCMonth());
  const day = d.getUTCDate().toString(36).toUpperCase();
  const rest = Array.from(randomBytes(7), (b) => ALNUM[b % ALNUM.length]).join('');
  return `${year}${month}${day}${rest}`;
}

export const requestId = () => `${hex(4)}-${hex(4)}-${hex(4)}-${hex(12)}${digits(6)}`;
export const conversationId = () => `${hex(4)}-${hex(4)}-${hex(4)}-${hex(12)}${digits(6)}`;
