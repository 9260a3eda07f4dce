import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Secrets at rest (router passwords, M-Pesa keys, printable voucher codes) are sealed with
 * AES-256-GCM under SECRET_KEY. Format: v1.<iv>.<tag>.<ciphertext>, base64url parts. The version
 * prefix lets us rotate the scheme later without guessing what a stored value is.
 */
export interface Sealer {
  seal(plain: string): string;
  unseal(sealed: string): string;
  /** Keyed hash for lookups (e.g. access codes) that must not be reversible from the DB alone. */
  hash(value: string, purpose: string): string;
  sign(value: string): string;
  verify(value: string, signature: string): boolean;
}

export function parseSecretKey(raw: string): Buffer | null {
  const s = raw.trim();
  if (/^[0-9a-fA-F]{64}$/.test(s)) return Buffer.from(s, 'hex');
  try {
    const b = Buffer.from(s, 'base64');
    if (b.length === 32) return b;
  } catch {
    // fall through
  }
  return null;
}

export function createSealer(key: Buffer): Sealer {
  if (key.length !== 32) throw new Error('SECRET_KEY must be 32 bytes');
  const encKey = createHmac('sha256', key).update('wavu:seal').digest();
  const macKey = createHmac('sha256', key).update('wavu:mac').digest();
  const sign = (value: string) => createHmac('sha256', macKey).update(value).digest('base64url');
  return {
    seal(plain) {
      const iv = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', encKey, iv);
      const ct = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
      return [
        'v1',
        iv.toString('base64url'),
        c.getAuthTag().toString('base64url'),
        ct.toString('base64url'),
      ].join('.');
    },
    unseal(sealed) {
      const [v, iv, tag, ct] = sealed.split('.');
      if (v !== 'v1' || !iv || !tag || ct === undefined) throw new Error('not a sealed value');
      const d = createDecipheriv('aes-256-gcm', encKey, Buffer.from(iv, 'base64url'));
      d.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([d.update(Buffer.from(ct, 'base64url')), d.final()]).toString('utf8');
    },
    hash(value, purpose) {
      return createHmac('sha256', macKey).update(`${purpose}\0${value}`).digest('hex');
    },
    sign,
    verify(value, signature) {
      const want = Buffer.from(sign(value));
      const got = Buffer.from(signature);
      return want.length === got.length && timingSafeEqual(want, got);
    },
  };
}
