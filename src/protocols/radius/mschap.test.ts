/** MS-CHAPv2 against the worked examples of RFC 2759 §9.2 and RFC 3079 §3.5.3, and DES/MD4 against their standards' vectors. */
import { describe, expect, it } from 'vitest';
import { desEncryptBlock } from './des.ts';
import { md4 } from './md4.ts';
import {
  authenticatorResponse,
  challengeHash,
  generateNtResponse,
  hideMppeKey,
  mppeKeys,
  ntPasswordHash,
  verifyMsChapV2,
} from './mschap.ts';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

const USER = 'User';
const PASSWORD = 'clientPass';
const AUTH_CHALLENGE = hex('5B 5D 7C 7D 7B 3F 2F 3E 3C 2C 60 21 32 26 26 28');
const PEER_CHALLENGE = hex('21 40 23 24 25 5E 26 2A 28 29 5F 2B 3A 33 7C 7E');
const NT_RESPONSE = hex('82 30 9E CD 8D 70 8B 5E A0 8F AA 39 81 CD 83 54 42 33 11 4A 3D 85 D6 DF');

describe('MD4 (RFC 1320 appendix A.5)', () => {
  it.each([
    ['', '31d6cfe0d16ae931b73c59d7e0c089c0'],
    ['a', 'bde52cb31de33e46245e05fbdbd6fb24'],
    ['abc', 'a448017aaf21d8525fc10ae87aa6729d'],
    ['message digest', 'd9130a8164549fe818874806e1c7014b'],
    [
      '12345678901234567890123456789012345678901234567890123456789012345678901234567890',
      'e33b4ddc9c38f2199c3e7b164fcc0536',
    ],
  ])('md4(%j)', (input, digest) => {
    expect(md4(Buffer.from(input)).toString('hex')).toBe(digest);
  });
});

describe('DES', () => {
  it('encrypts the classic worked example', () => {
    expect(desEncryptBlock(hex('133457799BBCDFF1'), hex('0123456789ABCDEF')).toString('hex')).toBe(
      '85e813540f0ab405',
    );
  });
});

describe('MS-CHAPv2 (RFC 2759 §9.2)', () => {
  it('hashes the challenge and the password', () => {
    expect(challengeHash(PEER_CHALLENGE, AUTH_CHALLENGE, USER)).toEqual(hex('D0 2E 43 86 BC E9 12 26'));
    expect(ntPasswordHash(PASSWORD)).toEqual(hex('44 EB BA 8D 53 12 B8 D6 11 47 44 11 F5 69 89 AE'));
  });

  it('computes the NT-Response and the authenticator response', () => {
    expect(generateNtResponse(AUTH_CHALLENGE, PEER_CHALLENGE, USER, PASSWORD)).toEqual(NT_RESPONSE);
    expect(authenticatorResponse(PASSWORD, NT_RESPONSE, PEER_CHALLENGE, AUTH_CHALLENGE, USER)).toBe(
      'S=407A5589115FD0D6209F510FE9C04566932CDA56',
    );
  });

  it('derives the 128-bit MPPE keys (RFC 3079 §3.5.3)', () => {
    // The RFC's SendStartKey128 is the server's send key (its Magic3).
    expect(mppeKeys(PASSWORD, NT_RESPONSE).send).toEqual(
      hex('8B 7C DC 14 9B 99 3A 1B A1 18 CB 15 3F 56 DC CB'),
    );
  });

  it('verifies a response and answers with MS-CHAP2-Success and both keys', () => {
    const response = Buffer.concat([Buffer.from([7, 0]), PEER_CHALLENGE, Buffer.alloc(8), NT_RESPONSE]);
    const base = {
      username: USER,
      authenticatorChallenge: AUTH_CHALLENGE,
      response,
      secret: 's',
      requestAuthenticator: Buffer.alloc(16, 1),
    };
    const attrs = verifyMsChapV2({ ...base, password: PASSWORD });
    expect(attrs).not.toBeNull();
    const success = attrs!.find((a) => a.vendorId === 311 && a.vendorType === 26)!.value;
    expect(success[0]).toBe(7);
    expect(success.subarray(1).toString()).toBe('S=407A5589115FD0D6209F510FE9C04566932CDA56');
    for (const t of [16, 17])
      expect(attrs!.find((a) => a.vendorId === 311 && a.vendorType === t)!.value).toHaveLength(34);
    expect(verifyMsChapV2({ ...base, password: 'wrong' })).toBeNull();
    expect(verifyMsChapV2({ ...base, password: PASSWORD, response: response.subarray(1) })).toBeNull();
  });

  it('hides an MPPE key with the salt high bit set, reversibly (RFC 2548 §2.4.2)', () => {
    const key = Buffer.alloc(16, 0xab);
    const v = hideMppeKey(key, 'secret', Buffer.alloc(16, 2), Buffer.from([0x01, 0x02]));
    expect(v[0]! & 0x80).toBe(0x80);
    expect(v).toHaveLength(34);
  });
});
