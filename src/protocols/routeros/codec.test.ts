import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  commandWords,
  decodeLength,
  encodeLength,
  encodeSentence,
  parseCommand,
  parseReply,
  RouterOsProtocolError,
  SentenceDecoder,
} from './codec.ts';
import { challengeResponse } from './login.ts';

const hex = (b: Buffer) => b.toString('hex');

describe('length prefix', () => {
  // Every boundary of the 1–5 byte forms, with the exact bytes the router sends.
  const cases: [number, string][] = [
    [0, '00'],
    [5, '05'],
    [0x7f, '7f'],
    [0x80, '8080'],
    [0x3fff, 'bfff'],
    [0x4000, 'c04000'],
    [0x1fffff, 'dfffff'],
    [0x200000, 'e0200000'],
    [0xfffffff, 'efffffff'],
    [0x10000000, 'f010000000'],
    [0xffffffff, 'f0ffffffff'],
  ];
  it.each(cases)('%i encodes as %s and decodes back', (len, bytes) => {
    expect(hex(encodeLength(len))).toBe(bytes);
    expect(decodeLength(Buffer.from(bytes, 'hex'))).toEqual({ length: len, size: bytes.length / 2 });
  });

  it('waits for the rest of a partial prefix', () => {
    expect(decodeLength(Buffer.from('c040', 'hex'))).toBeNull();
    expect(decodeLength(Buffer.from('f0100000', 'hex'))).toBeNull();
  });

  it('refuses control bytes and impossible lengths', () => {
    expect(() => decodeLength(Buffer.from([0xf8]))).toThrow(RouterOsProtocolError);
    expect(() => decodeLength(Buffer.from([0xff]))).toThrow(RouterOsProtocolError);
    expect(() => encodeLength(-1)).toThrow(RouterOsProtocolError);
    expect(() => encodeLength(2 ** 32)).toThrow(RouterOsProtocolError);
  });

  it('round-trips any length', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (n) => {
        const b = encodeLength(n);
        expect(decodeLength(b)).toEqual({ length: n, size: b.length });
      }),
    );
  });
});

describe('sentences', () => {
  it('encodes the manual login example byte for byte', () => {
    const b = encodeSentence(['/login', '=name=admin', '=password=']);
    expect(hex(b)).toBe('062f6c6f67696e0b3d6e616d653d61646d696e0a3d70617373776f72643d00');
  });

  it('decodes words that straddle every length boundary', () => {
    const sizes = [0x7f, 0x80, 0x3fff, 0x4000, 0x1fffff, 0x200000];
    const words = sizes.map((n, i) => String.fromCharCode(97 + i).repeat(n));
    const d = new SentenceDecoder(0x300000);
    expect(d.push(encodeSentence(words))).toEqual([words]);
  });

  it('splits attributes on the first = only and finds .tag anywhere', () => {
    const r = parseReply(['!re', '.tag=7', '=name=iu=c3Eeg', '=comment=']);
    expect(r).toEqual({ type: '!re', attrs: { name: 'iu=c3Eeg', comment: '' }, tag: '7', other: [] });
    const f = parseReply(['!fatal', 'session terminated on request']);
    expect(f.other).toEqual(['session terminated on request']);
    expect(() => parseReply(['!bogus'])).toThrow(RouterOsProtocolError);
  });

  it('parses command sentences with queries in order', () => {
    const c = parseCommand(
      commandWords('/interface/print', { '.proplist': 'name' }, ['type=ether', 'type=vlan', '#|'], '3'),
    );
    expect(c).toEqual({
      command: '/interface/print',
      attrs: { '.proplist': 'name' },
      queries: ['type=ether', 'type=vlan', '#|'],
      tag: '3',
      api: {},
    });
  });

  it('skips empty sentences', () => {
    const d = new SentenceDecoder();
    expect(d.push(Buffer.from([0, 0]))).toEqual([]);
  });
});

// Words of arbitrary bytes (latin1 keeps one char per byte), including the long-prefix sizes.
const word = fc.oneof(
  fc.string({
    unit: fc.integer({ min: 0, max: 255 }).map((c) => String.fromCharCode(c)),
    minLength: 1,
    maxLength: 300,
  }),
  fc.constantFrom(0x80, 0x3fff, 0x4000).map((n) => 'x'.repeat(n)),
);
const sentence = fc.array(word, { minLength: 1, maxLength: 8 });

describe('properties', () => {
  it('random sentences round-trip', () => {
    fc.assert(
      fc.property(fc.array(sentence, { minLength: 1, maxLength: 5 }), (sentences) => {
        const d = new SentenceDecoder();
        expect(d.push(Buffer.concat(sentences.map(encodeSentence)))).toEqual(sentences);
      }),
      { numRuns: 200 },
    );
  });

  it('any chunking of the byte stream decodes the same', () => {
    fc.assert(
      fc.property(
        fc.array(sentence, { minLength: 1, maxLength: 4 }),
        fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 50 }),
        (sentences, cuts) => {
          const bytes = Buffer.concat(sentences.map(encodeSentence));
          const d = new SentenceDecoder();
          const out: string[][] = [];
          let pos = 0;
          let i = 0;
          while (pos < bytes.length) {
            const n = cuts[i++ % cuts.length]!;
            out.push(...d.push(bytes.subarray(pos, pos + n)));
            pos += n;
          }
          expect(out).toEqual(sentences);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('challenge login', () => {
  it('matches the manual test vectors (empty password)', () => {
    expect(challengeResponse('', '856780b7411eefd3abadee2058c149a3')).toBe(
      '005062f7a5ef124d34675bf3e81f56c556',
    );
    expect(challengeResponse('', '93b438ec9b80057c06dd9fe67d56aa9a')).toBe(
      '00e134102a9d330dd7b1849fedfea3cb57',
    );
  });
});
