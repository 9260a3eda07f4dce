/**
 * The one source of time (DESIGN.md invariant 6). Code never calls `Date.now()` directly for
 * business decisions; tests pass a ManualClock and move it.
 */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export class ManualClock implements Clock {
  private t: number;
  constructor(start: Date | string | number = '2026-01-01T09:00:00Z') {
    this.t = new Date(start).getTime();
  }
  now(): Date {
    return new Date(this.t);
  }
  set(to: Date | string | number): void {
    this.t = new Date(to).getTime();
  }
  advance(ms: number): Date {
    this.t += ms;
    return this.now();
  }
}

/** Clock that follows real time but can be pushed ahead (demo/tests with real timers). */
export class OffsetClock implements Clock {
  private offset = 0;
  now(): Date {
    return new Date(Date.now() + this.offset);
  }
  advance(ms: number): void {
    this.offset += ms;
  }
}
