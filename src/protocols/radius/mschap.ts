/**
 * MS-CHAPv2 on the RADIUS server side: RFC 2759 (NT-Response and the authenticator response),
 * RFC 2548 (the Microsoft vendor attributes and how MPPE keys are hidden with the shared secret)
 * and RFC 3079 (the 128-bit MPPE keys derived from the password). The NAS sends MS-CHAP-Challenge
 * and MS-CHAP2-Response; an Accept carries MS-CHAP2-Success (so the peer can check the server
 * knew the password too) and the two MPPE keys (so the NAS can encrypt the link).
 */
import { createHash, randomBytes } from 'node:crypto';
import { safeEqual } from './auth.ts';
import { desEncryptBlock, expandDesKey } from './des.ts';
import { md4 } from './md4.ts';
import { attr, type RadiusAttribute } from './packet.ts';

const sha1 = (...parts: Buffer[]) => {
  const h = createHash('sha1');
  for (const p of parts) h.update(p);
  return h.digest();
};
const md5 = (...parts: Buffer[]) => {
  const h = createHash('md5');
  for (const p of parts) h.update(p);
  return h.digest();
};

/** NtPasswordHash: MD4 of the password in UTF-16LE (RFC 2759 §8.3). */
export const ntPasswordHash = (password: string): Buffer => md4(Buffer.from(password, 'utf16le'));

/** ChallengeHash (RFC 2759 §8.2): the user name without any domain part is what is hashed. */
export function challengeHash(peerChallenge: Buffer, authChallenge: Buffer, username: string): Buffer {
  const bare = username.includes('\\') ? username.slice(username.lastIndexOf('\\') + 1) : username;
  return sha1(peerChallenge, authChallenge, Buffer.from(bare, 'utf8')).subarray(0, 8);
}

/** ChallengeResponse (RFC 2759 §8.5): the challenge DES-encrypted under three 7-octet keys. */
export function challengeResponse(challenge: Buffer, passwordHash: Buffer): Buffer {
  const z = Buffer.alloc(21);
  passwordHash.copy(z);
  return Buffer.concat([0, 7, 14].map((i) => desEncryptBlock(expandDesKey(z.subarray(i, i + 7)), challenge)));
}

export function generateNtResponse(
  authChallenge: Buffer,
  peerChallenge: Buffer,
  username: string,
  password: string,
): Buffer {
  return challengeResponse(challengeHash(peerChallenge, authChallenge, username), ntPasswordHash(password));
}

const MAGIC1 = Buffer.from('Magic server to client signing constant');
const MAGIC2 = Buffer.from('Pad to make it do more than one iteration');

/** GenerateAuthenticatorResponse (RFC 2759 §8.7): "S=" and 40 upper-case hex digits. */
export function authenticatorResponse(
  password: string,
  ntResponse: Buffer,
  peerChallenge: Buffer,
  authChallenge: Buffer,
  username: string,
): string {
  const hashHash = md4(ntPasswordHash(password));
  const digest = sha1(hashHash, ntResponse, MAGIC1);
  const out = sha1(digest, challengeHash(peerChallenge, authChallenge, username), MAGIC2);
  return `S=${out.toString('hex').toUpperCase()}`;
}

const MPPE_MASTER = Buffer.from('This is the MPPE Master Key');
const MPPE_MAGIC2 = Buffer.from(
  'On the client side, this is the send key; on the server side, it is the receive key.',
);
const MPPE_MAGIC3 = Buffer.from(
  'On the client side, this is the receive key; on the server side, it is the send key.',
);
const SHS_PAD1 = Buffer.alloc(40, 0x00);
const SHS_PAD2 = Buffer.alloc(40, 0xf2);

/** The server's 128-bit MPPE send and receive keys (RFC 3079 §3.4). */
export function mppeKeys(password: string, ntResponse: Buffer): { send: Buffer; recv: Buffer } {
  const master = sha1(md4(ntPasswordHash(password)), ntResponse, MPPE_MASTER).subarray(0, 16);
  const key = (magic: Buffer) => sha1(master, SHS_PAD1, magic, SHS_PAD2).subarray(0, 16);
  return { send: key(MPPE_MAGIC3), recv: key(MPPE_MAGIC2) };
}

/**
 * MS-MPPE-Send-Key / -Recv-Key value (RFC 2548 §2.4.2): a salt with its high bit set, then the
 * key's length, the key and zero padding, XORed block by block with MD5 over the secret, the
 * Request Authenticator and the salt (then the previous cipher block).
 */
export function hideMppeKey(
  key: Buffer,
  secret: Buffer | string,
  requestAuthenticator: Buffer,
  salt?: Buffer,
): Buffer {
  const a = salt ?? randomBytes(2);
  a[0]! |= 0x80;
  const plain = Buffer.alloc(Math.ceil((key.length + 1) / 16) * 16);
  plain[0] = key.length;
  key.copy(plain, 1);
  const s = Buffer.from(secret);
  const out = Buffer.alloc(plain.length);
  let prev = Buffer.concat([requestAuthenticator, a]);
  for (let i = 0; i < plain.length; i += 16) {
    const b = md5(s, prev);
    for (let j = 0; j < 16; j++) out[i + j] = plain[i + j]! ^ b[j]!;
    prev = out.subarray(i, i + 16);
  }
  return Buffer.concat([a, out]);
}

/**
 * Check an MS-CHAP2-Response (RFC 2548 §2.3.2: ident, flags, peer challenge, 8 reserved, the
 * 24-octet NT-Response) against the clear password. On success, the attributes an Accept must
 * carry; null when the response is malformed or wrong.
 */
export function verifyMsChapV2(o: {
  username: string;
  password: string;
  authenticatorChallenge: Buffer;
  response: Buffer;
  secret: Buffer | string;
  requestAuthenticator: Buffer;
}): RadiusAttribute[] | null {
  if (o.authenticatorChallenge.length !== 16 || o.response.length !== 50) return null;
  const ident = o.response[0]!;
  const peerChallenge = o.response.subarray(2, 18);
  const ntResponse = o.response.subarray(26, 50);
  const expected = generateNtResponse(o.authenticatorChallenge, peerChallenge, o.username, o.password);
  if (!safeEqual(expected, ntResponse)) return null;
  const success = authenticatorResponse(
    o.password,
    ntResponse,
    peerChallenge,
    o.authenticatorChallenge,
    o.username,
  );
  const keys = mppeKeys(o.password, ntResponse);
  return [
    attr('MS-CHAP2-Success', Buffer.concat([Buffer.from([ident]), Buffer.from(success)])),
    attr('MS-MPPE-Recv-Key', hideMppeKey(keys.recv, o.secret, o.requestAuthenticator)),
    attr('MS-MPPE-Send-Key', hideMppeKey(keys.send, o.secret, o.requestAuthenticator)),
    // Encryption allowed, not required; 40- and 128-bit RC4 (what FreeRADIUS answers too).
    attr('MS-MPPE-Encryption-Policy', 1),
    attr('MS-MPPE-Encryption-Types', 6),
  ];
}
