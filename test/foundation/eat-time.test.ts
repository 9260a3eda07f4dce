import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DAY_MS,
  EAT_OFFSET_MS,
  eatDate,
  eatDayStart,
  eatWallClock,
  fromEatWallClock,
  startOfEatDay,
} from '../../src/lib/eat-time.ts';

const instant = fc.date({
  min: new Date('2000-01-01T00:00:00Z'),
  max: new Date('2100-01-01T00:00:00Z'),
  noInvalidDate: true,
});

describe('East Africa Time', () => {
  it('turns the day at 21:00 UTC, three hours before UTC does', () => {
    expect(eatDate(new Date('2026-12-01T20:59:59.999Z'))).toBe('2026-12-01');
    expect(eatDate(new Date('2026-12-01T21:00:00Z'))).toBe('2026-12-02');
    expect(startOfEatDay(new Date('2026-12-01T21:00:00Z')).toISOString()).toBe('2026-12-01T21:00:00.000Z');
    expect(startOfEatDay(new Date('2026-12-01T20:59:59Z')).toISOString()).toBe('2026-11-30T21:00:00.000Z');
    expect(eatDayStart('2026-12-02')!.toISOString()).toBe('2026-12-01T21:00:00.000Z');
    expect(eatWallClock(new Date('2026-12-31T22:30:00Z')).toISOString()).toBe('2027-01-01T01:30:00.000Z');
    expect(fromEatWallClock(2027, 1, 1, 1, 30).toISOString()).toBe('2026-12-31T22:30:00.000Z');
  });

  it('refuses days that are not on the calendar', () => {
    for (const d of [
      '2026-02-29',
      '2026-02-30',
      '2026-13-01',
      '2026-00-10',
      '2026-04-31',
      '2026-1-01',
      '',
      'today',
    ])
      expect(eatDayStart(d), d).toBeNull();
    expect(eatDayStart('2028-02-29')!.toISOString()).toBe('2028-02-28T21:00:00.000Z');
  });

  it('puts every instant inside the Kenyan day it names, and back', () => {
    fc.assert(
      fc.property(instant, (at) => {
        const start = startOfEatDay(at);
        expect(start.getTime()).toBeLessThanOrEqual(at.getTime());
        expect(at.getTime() - start.getTime()).toBeLessThan(DAY_MS);
        expect(eatDayStart(eatDate(at))!.getTime()).toBe(start.getTime());
        expect(eatWallClock(at).getTime() - at.getTime()).toBe(EAT_OFFSET_MS);
        const w = eatWallClock(at);
        const back = fromEatWallClock(
          w.getUTCFullYear(),
          w.getUTCMonth() + 1,
          w.getUTCDate(),
          w.getUTCHours(),
          w.getUTCMinutes(),
          w.getUTCSeconds(),
        );
        expect(back.getTime()).toBe(at.getTime() - at.getUTCMilliseconds());
      }),
    );
  });
});
