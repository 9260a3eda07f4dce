import { describe, expect, it } from 'vitest';
import {
  attr,
  chapResponse,
  checkMessageAuthenticator,
  decodePacket,
  encodeAttribute,
  encodeRequest,
  encodeResponse,
  getInt,
  getText,
  hidePassword,
  messageAuthenticatorFirst,
  RadiusCode,
  RadiusDecodeError,
  unhidePassword,
  verifyChap,
  verifyRequest,
  verifyResponse,
} from './index.ts';

const RA = Buffer.from('000102030405060708090a0b0c0d0e0f', 'hex');
const S = 'testing123';

describe('RADIUS codec vectors', () => {
  it('hides and reveals User-Password (RFC 2865 §5.2)', () => {
    const hidden = hidePassword('pw123', S, RA);
    expect(hidden.toString('hex')).toBe('e69938f847fd7a1a104607240014828b');
    expect(unhidePassword(hidden, S, RA).toString()).toBe('pw123');
    const long = 'x'.repeat(40);
    const h2 = hidePassword(long, S, RA);
    expect(h2.length).toBe(48);
    expect(unhidePassword(h2, S, RA).toString()).toBe(long);
    expect(unhidePassword(h2, 'other', RA).toString()).not.toBe(long);
    expect(() => unhidePassword(Buffer.alloc(15), S, RA)).toThrow(RadiusDecodeError);
  });

  it('computes the CHAP response', () => {
    const ch = Buffer.from('101112131415161718191a1b1c1d1e1f', 'hex');
    expect(chapResponse(0x8c, 'pw123', ch).toString('hex')).toBe('d9e69a71e6316a0c3bc80fa5fae3e914');
  });

  it('encodes a Mikrotik-Rate-Limit vendor attribute', () => {
    expect(encodeAttribute(attr('Mikrotik-Rate-Limit', '2M/5M')).toString('hex')).toBe(
      '1a0d00003a8c0807324d2f354d',
    );
  });

  it('signs an Access-Accept exactly like the lab-verified vector', () => {
    const packet = encodeResponse({
      code: RadiusCode.AccessAccept,
      request: { identifier: 1, authenticator: RA },
      attributes: [attr('Mikrotik-Rate-Limit', '2M/5M'), attr('Session-Timeout', 3600)],
      secret: S,
    });
    expect(packet.toString('hex')).toBe(
      '02010039623e98a23069dbb636bada13599ba0e8501235b13a118342b0c2f795a4acc7641cd91a0d00003a8c0807324d2f354d1b0600000e10',
    );
    const p = decodePacket(packet);
    expect(verifyResponse(p, RA, S)).toEqual({ ok: true, messageAuthenticator: 'valid' });
    expect(verifyResponse(p, RA, 'wrong').ok).toBe(false);
    expect(messageAuthenticatorFirst(packet)).toBe(true);
    expect(getText(p, 'Mikrotik-Rate-Limit')).toBe('2M/5M');
    expect(getInt(p, 'Session-Timeout')).toBe(3600);
  });

  it('round-trips an Access-Request with PAP and checks its Message-Authenticator', () => {
    const raw = encodeRequest({
      code: RadiusCode.AccessRequest,
      identifier: 7,
      attributes: [attr('User-Name', 'ABC'), attr('User-Password', 'ABC')],
      secret: S,
    });
    const p = decodePacket(raw);
    expect(verifyRequest(p, S)).toEqual({ ok: true, messageAuthenticator: 'valid' });
    expect(verifyRequest(p, 'nope')).toEqual({ ok: false, reason: 'bad_message_authenticator' });
    const pw = p.attributes.find((a) => a.type === 2)!.value;
    expect(unhidePassword(pw, S, p.authenticator).toString()).toBe('ABC');
    // One flipped bit anywhere breaks the Message-Authenticator.
    const bad = Buffer.from(raw);
    bad[bad.length - 1]! ^= 1;
    expect(verifyRequest(decodePacket(bad), S).ok).toBe(false);
  });

  it('verifies CHAP with the Request Authenticator or CHAP-Challenge', () => {
    const chal = Buffer.alloc(16, 7);
    const withChallenge = decodePacket(
      encodeRequest({
        code: RadiusCode.AccessRequest,
        identifier: 1,
        attributes: [
          attr('User-Name', 'u'),
          attr('CHAP-Password', Buffer.concat([Buffer.from([9]), chapResponse(9, 'secretpw', chal)])),
          attr('CHAP-Challenge', chal),
        ],
        secret: S,
      }),
    );
    expect(verifyChap(withChallenge, 'secretpw')).toBe(true);
    expect(verifyChap(withChallenge, 'other')).toBe(false);
    const ra = Buffer.alloc(16, 3);
    const withRa = decodePacket(
      encodeRequest({
        code: RadiusCode.AccessRequest,
        identifier: 1,
        authenticator: ra,
        attributes: [
          attr('CHAP-Password', Buffer.concat([Buffer.from([1]), chapResponse(1, 'secretpw', ra)])),
        ],
        secret: S,
      }),
    );
    expect(verifyChap(withRa, 'secretpw')).toBe(true);
  });

  it('signs Accounting/Disconnect/CoA requests over zeros and verifies responses', () => {
    for (const code of [RadiusCode.AccountingRequest, RadiusCode.DisconnectRequest, RadiusCode.CoaRequest]) {
      const raw = encodeRequest({
        code,
        identifier: 3,
        attributes: [attr('User-Name', 'x'), attr('Acct-Session-Id', '81a00001')],
        secret: S,
      });
      const p = decodePacket(raw);
      expect(verifyRequest(p, S)).toEqual({ ok: true, messageAuthenticator: 'valid' });
      expect(verifyRequest(p, 'other')).toEqual({ ok: false, reason: 'bad_authenticator' });
      // M-A is computed with a zero authenticator for these codes.
      expect(checkMessageAuthenticator(p.raw, S, [Buffer.alloc(16)])).toBe('valid');
      const reply = code === RadiusCode.AccountingRequest ? RadiusCode.AccountingResponse : code + 1;
      const resp = decodePacket(encodeResponse({ code: reply, request: p, attributes: [], secret: S }));
      expect(verifyResponse(resp, p.authenticator, S)).toEqual({ ok: true, messageAuthenticator: 'valid' });
    }
  });

  it('splits several sub-attributes packed in one Vendor-Specific', () => {
    const vs = Buffer.from('1a1100003a8c0807324d2f354d0b046162', 'hex');
    const head = Buffer.alloc(20);
    head[0] = 2;
    head.writeUInt16BE(20 + vs.length, 2);
    const p = decodePacket(Buffer.concat([head, vs]));
    expect(p.attributes.map((a) => [a.vendorId, a.vendorType, a.value.toString()])).toEqual([
      [14988, 8, '2M/5M'],
      [14988, 11, 'ab'],
    ]);
  });

  it('refuses malformed packets with typed errors', () => {
    const ok = encodeRequest({ code: 1, identifier: 1, attributes: [attr('User-Name', 'a')], secret: S });
    const cases: [Buffer, string][] = [
      [ok.subarray(0, 10), 'too_short'],
      [Buffer.concat([ok.subarray(0, 2), Buffer.from([0, 10]), ok.subarray(4)]), 'bad_length'],
      [ok.subarray(0, ok.length - 1), 'truncated'],
    ];
    const zeroType = Buffer.from(ok);
    zeroType[38] = 0;
    cases.push([zeroType, 'bad_attribute_type']);
    const overflow = Buffer.from(ok);
    overflow[39] = 200;
    cases.push([overflow, 'bad_attribute_length']);
    const badMa = Buffer.from(ok);
    badMa[21] = 17;
    cases.push([badMa, 'bad_message_authenticator_length']);
    for (const [buf, reason] of cases) {
      let err: unknown;
      try {
        decodePacket(buf);
      } catch (e) {
        err = e;
      }
      expect(err, reason).toBeInstanceOf(RadiusDecodeError);
      expect((err as RadiusDecodeError).reason).toBe(reason);
    }
    // Padding beyond Length is ignored.
    expect(decodePacket(Buffer.concat([ok, Buffer.alloc(5)])).raw.length).toBe(ok.length);
  });
});
