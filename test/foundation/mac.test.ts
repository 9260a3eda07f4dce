import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CANONICAL_MAC, normalizeMac } from '../../src/lib/mac.ts';

const hex = (b: number) => b.toString(16).padStart(2, '0');

describe('normalizeMac', () => {
  it('reads every spelling a gateway, the hotspot page or a person uses', () => {
    for (const f of [
      'AA:BB:CC:DD:EE:0F',
      'aa:bb:cc:dd:ee:0f',
      'aa-bb-cc-dd-ee-0f',
      'AA BB CC DD EE 0F',
      'aa.bb.cc.dd.ee.0f',
      'AABBCCDDEE0F',
      'aabbccddee0f',
      'aabb.ccdd.ee0f',
      'AABB:CCDD:EE0F',
      'AABB-CCDD-EE0F',
      'AABBCC-DDEE0F',
      'AABBCC:DDEE0F',
      '  Aa:bB:cc:DD:ee:0f\n',
    ])
      expect(normalizeMac(f), f).toBe('AA:BB:CC:DD:EE:0F');
  });

  it('refuses what is not one MAC', () => {
    for (const f of [
      null,
      undefined,
      '',
      '   ',
      'not a mac',
      'ACDEF34679', // 10 digits
      'AABBCCDDEE0F00', // 14 digits
      'AABBCCDDEE0G',
      'AA:BB:CC:DD:EE', // five pairs
      'AA:BB:CC:DD:EE:0F:11',
      'AA:BB-CC:DD-EE:0F', // mixed separators
      'AA::BB:CC:DD:EE:0F',
      'A:AB:BC:CD:DE:E0F', // right digit count, wrong grouping
      'AAB.BCC.DDE.E0F',
      'AABB.CCDD:EE0F',
      'AA:BB:CC:DD:EE:0F; DROP',
      'AA\tBB\tCC\tDD\tEE\t0F',
      '０A:BB:CC:DD:EE:0F', // full-width digit
    ])
      expect(normalizeMac(f as string), String(f)).toBeNull();
  });

  it('gives the canonical form of any six bytes in any accepted spelling and case', () => {
    const spelling = fc.constantFrom(
      (p: string[]) => p.join(':'),
      (p: string[]) => p.join('-'),
      (p: string[]) => p.join('.'),
      (p: string[]) => p.join(' '),
      (p: string[]) => p.join(''),
      (p: string[]) => [p.slice(0, 2), p.slice(2, 4), p.slice(4)].map((x) => x.join('')).join('.'),
      (p: string[]) => [p.slice(0, 3), p.slice(3)].map((x) => x.join('')).join('-'),
    );
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 6, maxLength: 6 }),
        spelling,
        fc.boolean(),
        (bytes, spell, upper) => {
          const pairs = [...bytes].map(hex);
          const written = spell(pairs);
          const want = pairs.join(':').toUpperCase();
          expect(normalizeMac(upper ? written.toUpperCase() : written)).toBe(want);
        },
      ),
    );
  });

  it('returns only the canonical form or null, keeps the digits, and is idempotent', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 24, unit: fc.constantFrom(...'0123456789abcdefABCDEFxX:-. ') }),
        (s) => {
          const m = normalizeMac(s);
          if (m === null) return;
          expect(m).toMatch(CANONICAL_MAC);
          expect(m.replace(/:/g, '')).toBe(s.replace(/[^0-9a-fA-F]/g, '').toUpperCase());
          expect(normalizeMac(m)).toBe(m);
        },
      ),
    );
  });
});
