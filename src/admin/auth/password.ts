/**
 * Admin passwords: argon2id with a random 16-byte salt (OWASP: m ≥ 19 MiB, t ≥ 2, p = 1). The
 * parameters travel inside the encoded hash, so raising them later still verifies old hashes, and
 * `needsRehash` tells login to upgrade them. Verification recomputes the hash and compares the
 * bytes in constant time.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { argon2id } from 'hash-wasm';

export const ARGON2_PARAMS = { memorySize: 19456, iterations: 2, parallelism: 1, hashLength: 32 } as const;

export const PASSWORD_MIN = 10;
export const PASSWORD_MAX = 200;

export async function hashPassword(password: string): Promise<string> {
  return argon2id({ password, salt: randomBytes(16), ...ARGON2_PARAMS, outputType: 'encoded' });
}

interface Parsed {
  m: number;
  t: number;
  p: number;
  salt: Buffer;
  hash: Buffer;
}

function parse(encoded: string): Parsed | null {
  const m = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/.exec(encoded);
  if (!m) return null;
  const [, mem, t, p, salt, hash] = m;
  return {
    m: Number(mem),
    t: Number(t),
    p: Number(p),
    salt: Buffer.from(salt!, 'base64'),
    hash: Buffer.from(hash!, 'base64'),
  };
}

/** A hash of a random password: verified against when the username is unknown, so timing matches. */
let decoy: Promise<string> | null = null;
export const decoyHash = () => {
  decoy ??= hashPassword(randomBytes(18).toString('base64'));
  return decoy;
};

export async function verifyPassword(password: string, encoded: string): Promise<boolean> {
  const p = parse(encoded);
  if (!p || p.hash.length < 16 || p.m > 1_048_576 || p.t > 20 || p.p > 8) return false;
  const got = await argon2id({
    password,
    salt: p.salt,
    memorySize: p.m,
    iterations: p.t,
    parallelism: p.p,
    hashLength: p.hash.length,
    outputType: 'binary',
  });
  return timingSafeEqual(Buffer.from(got), p.hash);
}

export function needsRehash(encoded: string): boolean {
  const p = parse(encoded);
  return !p || p.m < ARGON2_PARAMS.memorySize || p.t < ARGON2_PARAMS.iterations;
}

/** Rules a new password must meet; returns a message for the person, or null when it is fine. */
export function passwordProblem(password: string, username?: string): string | null {
  if (password.length < PASSWORD_MIN) return `Use at least ${PASSWORD_MIN} characters.`;
  if (password.length > PASSWORD_MAX) return `Use at most ${PASSWORD_MAX} characters.`;
  if (username && password.toLowerCase().includes(username.toLowerCase()))
    return 'The password must not contain the username.';
  if (/^(.)\1+$/.test(password)) return 'Choose a password that is not one repeated character.';
  return null;
}
