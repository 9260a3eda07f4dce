/**
 * MikroTik HTTP-CHAP: the router's login.html renders chap-id (1 byte) and chap-challenge
 * (16 bytes) as octal escapes ("\371"); the password it expects is
 * hex(md5(chap-id bytes + password + chap-challenge bytes)).
 */
import { createHash } from 'node:crypto';

export function octalBytes(s: string): Buffer {
  const out: number[] = [];
  for (const m of s.matchAll(/\\([0-7]{3})/g)) out.push(Number.parseInt(m[1]!, 8) & 0xff);
  return Buffer.from(out);
}

export function chapResponse(chapId: string, password: string, chapChallenge: string): string {
  return createHash('md5')
    .update(Buffer.concat([octalBytes(chapId), Buffer.from(password, 'utf8'), octalBytes(chapChallenge)]))
    .digest('hex');
}
