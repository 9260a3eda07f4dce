import { createHash } from 'node:crypto';

/**
 * Pre-6.43 challenge login: response = "00" + hex(md5(0x00 ‖ password ‖ challenge)), where the
 * challenge is the hex `=ret=` of the first `/login`. Kept for old routers; 6.45.1+ and v7 only
 * accept the plain method.
 */
export function challengeResponse(password: string, challengeHex: string): string {
  const md5 = createHash('md5');
  md5.update(Buffer.from([0]));
  md5.update(Buffer.from(password, 'latin1'));
  md5.update(Buffer.from(challengeHex, 'hex'));
  return `00${md5.digest('hex')}`;
}
