/**
 * Property tests: random and mutated datagrams never crash the decoder or hang it. Every failure
 * is our typed RadiusDecodeError; everything that decodes re-verifies without throwing.
 */
import fc from 'fast-check';
import { describe, it } from 'vitest';
import {
  attr,
  decodePacket,
  encodeRequest,
  encodeResponse,
  RadiusCode,
  RadiusDecodeError,
  unhidePassword,
  verifyChap,
  verifyRequest,
  verifyResponse,
} from './index.ts';

const SECRET = 's3cret';

/** Decode and exercise every secret-using check; returns the error thrown, if any. */
function exercise(buf: Buffer): unknown {
  try {
    const p = decodePacket(buf);
    verifyRequest(p, SECRET);
    verifyResponse(p, Buffer.alloc(16), SECRET);
    verifyChap(p, 'pw');
    const pw = p.attributes.find((a) => a.type === 2);
    if (pw) unhidePassword(pw.value, SECRET, p.authenticator);
    return undefined;
  } catch (e) {
    return e;
  }
}

const seeds: Buffer[] = [
  encodeRequest({
    code: RadiusCode.AccessRequest,
    identifier: 1,
    attributes: [
      attr('User-Name', 'ABCDEFGHJK'),
      attr('User-Password', 'ABCDEFGHJK'),
      attr('Calling-Station-Id', 'AA:BB:CC:DD:EE:FF'),
      attr('NAS-Identifier', 'hs1'),
      attr('Mikrotik-Host-IP', '10.5.50.2'),
    ],
    secret: SECRET,
  }),
  encodeRequest({
    code: RadiusCode.AccountingRequest,
    identifier: 2,
    attributes: [
      attr('Acct-Status-Type', 'Interim-Update'),
      attr('Acct-Session-Id', '81a00001'),
      attr('Acct-Input-Octets', 1234),
      attr('Acct-Input-Gigawords', 1),
    ],
    secret: SECRET,
  }),
  encodeResponse({
    code: RadiusCode.AccessAccept,
    request: { identifier: 1, authenticator: Buffer.alloc(16, 1) },
    attributes: [attr('Mikrotik-Rate-Limit', '512k/2M'), attr('WISPr-Bandwidth-Max-Up', 512000)],
    secret: SECRET,
  }),
];

const params = { numRuns: 3000, seed: 20260101 };

describe('RADIUS decoder under fuzzing', () => {
  it('random bytes: only RadiusDecodeError, bounded work', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 4200 }), (bytes) => {
        const err = exercise(Buffer.from(bytes));
        if (err !== undefined) return err instanceof RadiusDecodeError;
        // Every attribute consumes at least two octets, so decoding is linear in the packet
        // (a hang would also trip the test timeout).
        const p = decodePacket(Buffer.from(bytes));
        return p.attributes.length <= (p.raw.length - 20) / 2;
      }),
      params,
    );
  });

  it('random header + attribute soup with a consistent Length', () => {
    const tlv = fc
      .tuple(
        fc.integer({ min: 0, max: 255 }),
        fc.uint8Array({ maxLength: 60 }),
        fc.integer({ min: 0, max: 255 }),
      )
      .map(([t, v, lenJitter]) => {
        const b = Buffer.alloc(2 + v.length);
        b[0] = t;
        b[1] = lenJitter % 7 === 0 ? lenJitter : 2 + v.length;
        Buffer.from(v).copy(b, 2);
        return b;
      });
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 255 }), fc.array(tlv, { maxLength: 30 }), (code, attrs) => {
        const body = Buffer.concat(attrs);
        const head = Buffer.alloc(20);
        head[0] = code;
        head.writeUInt16BE(Math.min(20 + body.length, 65535), 2);
        const err = exercise(Buffer.concat([head, body]));
        return err === undefined || err instanceof RadiusDecodeError;
      }),
      params,
    );
  });

  it('mutated valid packets: bit flips, truncation, splices', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...seeds),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }),
        fc.nat(),
        fc.boolean(),
        (seed, flips, cut, truncate) => {
          const b = Buffer.from(seed);
          for (const [pos, val] of flips) b[pos % b.length] = val;
          const buf = truncate ? b.subarray(0, cut % (b.length + 1)) : b;
          const err = exercise(buf);
          if (err !== undefined && !(err instanceof RadiusDecodeError)) return false;
          // A mutated packet that still decodes must not pass the signature check by accident.
          if (err === undefined && flips.length > 0 && !b.equals(seed) && !truncate) {
            const p = decodePacket(buf);
            if (p.code === RadiusCode.AccessRequest && verifyRequest(p, SECRET).ok) {
              return p.attributes.every((a) => a.type !== 80) || buf.equals(seed);
            }
          }
          return true;
        },
      ),
      params,
    );
  });
});
