/**
 * WireGuard keys are Curve25519 (X25519) keys, written as standard base64 of the raw 32 bytes
 * (what `wg genkey` / `wg pubkey` print and RouterOS's private-key/public-key take). node:crypto
 * makes and derives them; nothing here runs the `wg` tool.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';

export interface WgKeyPair {
  privateKey: string;
  publicKey: string;
}

// PKCS#8 wrapping of a raw X25519 private key (RFC 8410): the fixed header, then the 32 bytes.
const PKCS8_X25519 = Buffer.from('302e020100300506032b656e04220420', 'hex');

const b64 = (base64url: string) => Buffer.from(base64url, 'base64url').toString('base64');

export function generateKeyPair(): WgKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('x25519');
  return {
    privateKey: b64(privateKey.export({ format: 'jwk' }).d!),
    publicKey: b64(publicKey.export({ format: 'jwk' }).x!),
  };
}

/** The public key of a base64 private key (like `wg pubkey`). */
export function publicKeyOf(privateKey: string): string {
  const raw = Buffer.from(privateKey, 'base64');
  if (!isKey(privateKey)) throw new Error('not a WireGuard key (32 bytes in base64)');
  const key = createPrivateKey({ key: Buffer.concat([PKCS8_X25519, raw]), format: 'der', type: 'pkcs8' });
  return b64(createPublicKey(key).export({ format: 'jwk' }).x!);
}

/** 44 characters of base64 for 32 bytes, the only form WireGuard tools accept. */
export const isKey = (s: string) =>
  /^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/.test(s) && Buffer.from(s, 'base64').length === 32;
