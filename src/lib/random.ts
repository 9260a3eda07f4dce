import { randomBytes, randomInt } from 'node:crypto';
import { CHARSETS } from './code-format.ts';

/** Characters people cannot confuse when reading a code off paper or an SMS: no 0/O, 1/I/L, 5/S, 2/Z, 8/B. */
export const CODE_ALPHABET = CHARSETS.mixed;

/** A code from the CSPRNG, uniform over the alphabet (randomInt rejects biased draws). */
export function randomCode(length: number, alphabet: string = CODE_ALPHABET): string {
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[randomInt(alphabet.length)];
  return out;
}

export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}
